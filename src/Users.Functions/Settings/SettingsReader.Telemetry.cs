using Users.Functions.Telemetry;

namespace Users.Functions.Settings;

/// <summary>The telemetry settings (see <see cref="TelemetryOptions"/>): OpenTelemetry's standard variables and the management port.</summary>
public static partial class SettingsReader
{
    public const string MetricsPort = "METRICS_PORT";
    public const string OtelSdkDisabled = "OTEL_SDK_DISABLED";

    private static TelemetryOptions ReadTelemetry(IConfiguration configuration, bool onLambda, List<string> errors)
    {
        var options = new TelemetryOptions
        {
            Enabled = !string.Equals(Value(configuration, OtelSdkDisabled), "true", StringComparison.OrdinalIgnoreCase),
            OnLambda = onLambda,
            OtlpTraces = Set(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT") || Set(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            OtlpMetrics = Set(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT") || Set(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
            FunctionName = Value(configuration, "AWS_LAMBDA_FUNCTION_NAME"),
        };
        options.ServiceName = Value(configuration, "OTEL_SERVICE_NAME") ?? Value(configuration, "POWERTOOLS_SERVICE_NAME") ?? options.ServiceName;
        options.MetricsNamespace = Value(configuration, "POWERTOOLS_METRICS_NAMESPACE") ?? options.MetricsNamespace;

        // The management port: 0 turns it off; an invalid one opens nothing (and is reported); on Lambda nothing could
        // scrape it, so there is none.
        var reported = errors.Count;
        var port = Integer(configuration, MetricsPort, 0, 65_535, "port (0 turns it off)", errors);
        options.MetricsPort = onLambda || errors.Count > reported ? 0 : (int)(port ?? options.MetricsPort);
        return options;
    }

    private static bool Set(IConfiguration configuration, string key) => Value(configuration, key) is not null;
}
