using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Users.Functions.Telemetry;

namespace Users.Functions.Hosting;

/// <summary>
/// A listener that cannot bind because another process holds its address: one line naming the address and the
/// setting that chose it, and exit code 3, instead of Kestrel's exception and stack trace (the same for the public
/// port and the management port of <c>/metrics</c>).
/// </summary>
public static class PortInUse
{
    /// <summary>The process's exit code when a port is taken (2 is an invalid setting).</summary>
    public const int ExitCode = 3;

    /// <summary>True for the failure Kestrel reports when an address is already in use.</summary>
    public static bool IsPortInUse(this Exception exception) =>
        exception is IOException { InnerException: AddressInUseException };

    /// <summary>The management port the app was given (0: none), read before the host runs (it is disposed when starting fails).</summary>
    public static int MetricsPortOf(IServiceProvider services) =>
        services.GetService<IOptions<TelemetryOptions>>()?.Value.MetricsPort ?? 0;

    /// <summary>The line to print: which address, which setting chose it, and what to do.</summary>
    public static string Describe(Exception exception, int metricsPort)
    {
        ArgumentNullException.ThrowIfNull(exception);
        // Kestrel's message names the address: "Failed to bind to address http://127.0.0.1:9464: address already in use."
        var metrics = metricsPort > 0 && exception.Message.Contains($":{metricsPort}:", StringComparison.Ordinal);
        var hint = metrics
            ? $"the management port of /metrics (METRICS_PORT={metricsPort}) is taken by another process: stop it, choose another port, or METRICS_PORT=0 to serve no /metrics"
            : "the API's port (ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS, 8080 by default) is taken by another process: stop it or choose another port";
        return $"Cannot start: {exception.Message.TrimEnd('.')}; {hint}.";
    }
}
