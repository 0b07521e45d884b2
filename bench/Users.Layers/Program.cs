using Users.Core.Adapters.Aws;
using Users.Core.UseCases;
using Users.Functions;
using Users.Functions.Background;
using Users.Functions.Endpoints;
using Users.Functions.Errors;
using Users.Functions.Health;
using Users.Functions.Hosting;
using Users.Functions.Http;
using Users.Functions.Logging;
using Users.Functions.Settings;
using Users.Functions.Telemetry;

// UsersApi.AddUsersApi and UseUsersApi, call for call, with each layer named in BENCH_LAYERS_OFF left out:
//   telemetry  OpenTelemetry (metrics, the management port)   logging    the JSON console logger (so every log line)
//   accesslog  the access-log middleware                      errors     problem details: exception handler, status pages
//   admission  the concurrency limiter and rate limiter        apidoc     the OpenAPI document and Swagger UI
//   health     the health checks (a bare /health/live stays)   reconciler the avatar reconciler's background loop
// Keep it in step with UsersApi.cs (UsersApiLayersTests compares the two lists of calls).
var off = (Environment.GetEnvironmentVariable("BENCH_LAYERS_OFF") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
var unknown = off.Except(["telemetry", "logging", "accesslog", "errors", "admission", "apidoc", "health", "reconciler"]).ToList();
if (unknown.Count > 0)
{
    await Console.Error.WriteLineAsync($"BENCH_LAYERS_OFF: unknown layer(s) {string.Join(", ", unknown)}");
    return 2;
}

bool On(string layer) => !off.Contains(layer);

var builder = WebApplication.CreateSlimBuilder(HostArguments.WithDefaults(args));
var settings = builder.AddUsersSettings();
if (On("logging"))
{
    builder.Logging.AddJsonLineConsole();
}
else
{
    builder.Logging.ClearProviders();
}

builder.AddUsersHosting();
if (On("telemetry"))
{
    builder.AddUsersTelemetry(settings.Telemetry);
}

builder.Services.AddAwsStorage(settings.Storage).AddUserUseCases();
if (On("reconciler"))
{
    builder.Services.AddHostedService<AvatarReconcilerService>();
}

if (On("errors"))
{
    builder.Services.AddErrorHandling();
}
else
{
    builder.Services.AddProblemDetails(); // the endpoints' own 4xx answers are problem details still
}

if (On("health"))
{
    builder.Services.AddUsersHealth();
}

if (On("admission"))
{
    builder.Services.AddAdmissionControl();
}
else
{
    // The registration endpoint takes the pools as a parameter; without any pool it runs unlimited.
    builder.Services.PostConfigure<AdmissionOptions>(admission => (admission.MaxConcurrentRequests, admission.MaxConcurrentUploads) = (0, 0));
    builder.Services.AddSingleton<AdmissionLimiters>();
}

builder.Services.AddUserEndpoints();
if (On("apidoc"))
{
    builder.Services.AddApiDocument();
}

var app = builder.Build();
if (On("telemetry"))
{
    app.UseUsersTelemetry();
}

if (On("accesslog"))
{
    app.UseMiddleware<AccessLogMiddleware>();
}

if (On("errors"))
{
    app.UseErrorHandling();
}

if (On("admission"))
{
    app.UseAdmissionControl();
}

if (On("apidoc"))
{
    app.MapApiDocument();
}

if (On("health"))
{
    app.MapHealthEndpoints();
}
else
{
    app.MapGet("/health/live", () => "ok");
}

app.MapUserEndpoints();
await app.RunAsync();
return 0;
