using Amazon.DynamoDBv2;
using Amazon.S3;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Users.Core.Adapters.Aws;
using Users.Core.Ports;
using Users.Core.UseCases;
using Users.Functions.Background;
using Users.Functions.Endpoints;
using Users.Functions.Errors;
using Users.Functions.Health;
using Users.Functions.Http;
using Users.Functions.Logging;
using Users.Functions.Settings;
using Users.Functions.Telemetry;

namespace Users.Functions;

/// <summary>
/// The composition root: services, then the HTTP pipeline. Both hosts (Kestrel, Lambda) run exactly this;
/// only the server underneath differs.
/// </summary>
public static class UsersApi
{
    /// <summary>Where Kestrel listens when nothing else is configured.</summary>
    public const string DefaultUrl = "http://+:8080";

    public static WebApplicationBuilder AddUsersApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        AppSettingsFile.AddBesideTheApp(builder.Configuration, builder.Environment.ContentRootPath, AppContext.BaseDirectory);
        builder.Logging.AddJsonLineConsole();

        // Port 8080 everywhere (as in the .NET container images) unless ASPNETCORE_URLS / ASPNETCORE_HTTP_PORTS say otherwise.
        var configuration = builder.Configuration;
        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrWhiteSpace(urls) &&
            string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey]) &&
            string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey]))
        {
            urls = DefaultUrl;
        }

        // Telemetry (see Telemetry/): Kestrel also listens on the management port of /metrics (METRICS_PORT).
        var metricsPort = builder.AddUsersTelemetry();
        if (metricsPort > 0)
        {
            urls = string.Join(';', new[] { urls, PortsAsUrls(configuration), $"http://+:{metricsPort}" }.Where(u => !string.IsNullOrWhiteSpace(u)));
        }

        if (!string.IsNullOrWhiteSpace(urls))
        {
            builder.WebHost.UseUrls(urls);
        }

        // Settings: bound from the environment (or appsettings), every invalid one reported at start.
        services.AddSingleton<SettingsValidation>();
        services.AddSingleton<IConfigureOptions<AwsStorageOptions>>(sp => sp.GetRequiredService<SettingsValidation>());
        services.AddSingleton<IConfigureOptions<ApiOptions>>(sp => sp.GetRequiredService<SettingsValidation>());
        services.AddSingleton<IValidateOptions<AwsStorageOptions>>(sp => sp.GetRequiredService<SettingsValidation>());
        services.AddSingleton<IValidateOptions<ApiOptions>>(sp => sp.GetRequiredService<SettingsValidation>());
        services.AddOptions<AwsStorageOptions>().ValidateOnStart();
        services.AddOptions<ApiOptions>().ValidateOnStart();
        // The host and Kestrel are built before the settings are checked (Program does it next, for both classes at
        // once): they take the bound values without validating them, so that building never fails on a setting.
        services.AddOptions<HostOptions>().Configure<SettingsValidation>((host, settings) => host.ShutdownTimeout = settings.Api.ShutdownTimeout);
        services.AddOptions<KestrelServerOptions>().Configure<SettingsValidation>((kestrel, settings) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.Api.MaxRequestBodyBytes;
        });

        // Storage: the AWS adapters behind the domain's ports.
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AwsStorageOptions>>().Value);
        services.AddSingleton(sp => AwsClients.CreateDynamoDb(sp.GetRequiredService<AwsStorageOptions>()));
        services.AddSingleton(sp => AwsClients.CreateS3(sp.GetRequiredService<AwsStorageOptions>()));
        services.AddSingleton<IUserRepository>(sp => new DynamoDbUserRepository(
            sp.GetRequiredService<IAmazonDynamoDB>(), sp.GetRequiredService<AwsStorageOptions>()));
        services.AddSingleton<IAvatarStore>(sp => new S3AvatarStore(
            sp.GetRequiredService<IAmazonS3>(), sp.GetRequiredService<AwsStorageOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AvatarReconciler>();
        services.AddHostedService<AvatarReconcilerService>();
        services.AddSingleton<CreateUser>();
        services.AddSingleton<ListUsers>();

        // HTTP: problem details for every error, health, OpenAPI.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context => Problems.Complete(context.ProblemDetails));
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddSingleton<StorageReadinessCheck>();
        services.AddHealthChecks().AddCheck<StorageReadinessCheck>("storage", tags: [HealthEndpoints.ReadyTag]);
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, UsersJsonContext.Default));
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Users API";
            document.Info.Description = "Users in DynamoDB, their avatars in S3.";
            return Task.CompletedTask;
        }));

        // Admission control and server limits (src/Users.Functions/Http/AdmissionControl.cs).
        builder.AddAdmissionControl();

        return builder;
    }

    /// <summary>ASPNETCORE_HTTP(S)_PORTS as URLs, when the ports were given rather than URLs (ASPNETCORE_URLS wins, as in ASP.NET Core).</summary>
    private static string? PortsAsUrls(ConfigurationManager configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey]))
        {
            return null;
        }

        static IEnumerable<string> Urls(string? ports, string scheme) =>
            (ports ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"{scheme}://*:{p}");

        return string.Join(';', Urls(configuration[WebHostDefaults.HttpPortsKey], "http").Concat(Urls(configuration[WebHostDefaults.HttpsPortsKey], "https")));
    }

    public static WebApplication UseUsersApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseUsersTelemetry();
        app.UseMiddleware<AccessLogMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAdmissionControl();

        app.MapOpenApi();
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "swagger";
            // Relative, so it also works under a path base (an API Gateway stage).
            options.SwaggerEndpoint("../openapi/v1.json", "Users API v1");
            options.DocumentTitle = "Users API";
        });

        app.MapHealthEndpoints();
        app.MapUserEndpoints();
        return app;
    }
}
