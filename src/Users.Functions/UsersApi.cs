using Users.Core.Adapters.Aws;
using Users.Core.UseCases;
using Users.Functions.Background;
using Users.Functions.Endpoints;
using Users.Functions.Errors;
using Users.Functions.Health;
using Users.Functions.Hosting;
using Users.Functions.Http;
using Users.Functions.Logging;
using Users.Functions.Settings;
using Users.Functions.Telemetry;

namespace Users.Functions;

/// <summary>
/// The composition root: services, then the HTTP pipeline, one named call per concern (each in its own folder). Both
/// hosts (Kestrel, Lambda) run exactly this; only the server underneath differs.
/// </summary>
public static class UsersApi
{
    public static WebApplicationBuilder AddUsersApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // First, before anything is registered: every setting read and checked once (InvalidSettingsException names them all).
        var settings = builder.AddUsersSettings();
        builder.Logging.AddJsonLineConsole();
        builder.AddUsersHosting();                      // the default port 8080, the drain time, Kestrel's body limit
        builder.AddUsersTelemetry(settings.Telemetry);  // OpenTelemetry, and the management port after the public one
        builder.Services
            .AddAwsStorage(settings.Storage)            // Users.Core: DynamoDB and S3 behind the domain's ports
            .AddUserUseCases()                          // Users.Core: register, list, reconcile avatars
            .AddHostedService<AvatarReconcilerService>()
            .AddErrorHandling()
            .AddUsersHealth()
            .AddAdmissionControl()
            .AddUserEndpoints()
            .AddApiDocument();
        return builder;
    }

    public static WebApplication UseUsersApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseUsersTelemetry();
        app.UseMiddleware<AccessLogMiddleware>();
        app.UseErrorHandling();
        app.UseAdmissionControl();
        app.MapApiDocument();
        app.MapHealthEndpoints();
        app.MapUserEndpoints();
        return app;
    }
}
