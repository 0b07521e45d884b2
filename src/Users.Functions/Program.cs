using Users.Functions;
using Users.Functions.Hosting;
using Users.Functions.Settings;
using Users.Lambda.Hosting;

var builder = WebApplication.CreateSlimBuilder(HostArguments.WithDefaults(args));
builder.UseLambdaHostingWhenConfigured();
var metricsPort = 0;
try
{
    builder.AddUsersApi();
    var app = builder.Build();
    metricsPort = PortInUse.MetricsPortOf(app.Services);
    app.UseUsersApi();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex.IsPortInUse())
{
    // A port another process holds (the API's or /metrics'): one line naming it and the setting, no stack trace.
    await Console.Error.WriteLineAsync(PortInUse.Describe(ex, metricsPort));
    return PortInUse.ExitCode;
}
catch (InvalidSettingsException ex)
{
    // An invalid setting: one line naming every one (no stack trace needed), Lambda's init error on Lambda, then stop.
    await Console.Error.WriteLineAsync(ex.Message);
    builder.ReportInitError(ex);
    return 2;
}
catch (Exception ex)
{
    // Any other failure: on Lambda, before the first invocation, it is the init error too (elsewhere this does nothing).
    builder.ReportInitError(ex);
    throw;
}

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
