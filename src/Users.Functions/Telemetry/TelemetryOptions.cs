namespace Users.Functions.Telemetry;

/// <summary>What the telemetry needs to know at start (read by <c>SettingsReader</c> with every other setting).</summary>
public sealed class TelemetryOptions
{
    /// <summary>The default management port for Prometheus' <c>/metrics</c> (the OpenTelemetry exporter's usual port).</summary>
    public const int DefaultMetricsPort = 9464;

    /// <summary>False when <c>OTEL_SDK_DISABLED=true</c> (the OpenTelemetry switch): no provider, no exporter, no management port.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Kestrel's port serving only <c>/metrics</c> (<c>METRICS_PORT</c>); 0: none. Never on Lambda.</summary>
    public int MetricsPort { get; set; } = DefaultMetricsPort;

    /// <summary>True inside a Lambda execution environment: metrics are written as EMF after each invocation.</summary>
    public bool OnLambda { get; set; }

    /// <summary>Spans are exported over OTLP (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>…_TRACES_ENDPOINT</c> set).</summary>
    public bool OtlpTraces { get; set; }

    /// <summary>Metrics are exported over OTLP (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>…_METRICS_ENDPOINT</c> set).</summary>
    public bool OtlpMetrics { get; set; }

    /// <summary><c>OTEL_SERVICE_NAME</c>, else <c>POWERTOOLS_SERVICE_NAME</c>, else users-api.</summary>
    public string ServiceName { get; set; } = "users-api";

    /// <summary>The EMF namespace: <c>POWERTOOLS_METRICS_NAMESPACE</c>, else UsersApi.</summary>
    public string MetricsNamespace { get; set; } = "UsersApi";

    /// <summary>The Lambda function's name (a dimension of ColdStart, as Powertools writes it).</summary>
    public string? FunctionName { get; set; }
}
