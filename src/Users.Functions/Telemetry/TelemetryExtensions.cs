using Microsoft.AspNetCore.Http.Features;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Users.Core.Telemetry;
using Users.Functions.Settings;

namespace Users.Functions.Telemetry;

/// <summary>
/// OpenTelemetry for both hosts: RED metrics (ASP.NET Core's own <c>http.server.request.duration</c>), the service's
/// dependency and business instruments, runtime metrics and spans. Where they go depends on the host:
/// Kestrel serves Prometheus text on a management port (<c>METRICS_PORT</c>); on Lambda, metrics are written as
/// CloudWatch Embedded Metric Format records on stdout after each invocation. Spans and metrics go over OTLP only
/// when the standard <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variables say where. <c>OTEL_SDK_DISABLED=true</c> turns it all off.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The management endpoint's path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Registers the providers and exporters; returns the management port Kestrel must also listen on (0: none).</summary>
    public static int AddUsersTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var settings = TelemetrySettings.From(configuration);
        builder.Services.AddSingleton(settings);
        if (!settings.Enabled)
        {
            return 0;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName));

        telemetry.WithMetrics(metrics =>
        {
            metrics.AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(UsersTelemetry.Name);
            if (settings.MetricsPort > 0)
            {
                // No response cache: every scrape (and every test) sees the current values.
                metrics.AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0);
            }

            if (settings.OnLambda)
            {
                metrics.AddReader(EmfMetricExporter.CreateReader(settings, Console.Out));
            }

            if (settings.OtlpMetrics)
            {
                metrics.AddOtlpExporter();
            }
        });

        // Spans are recorded only when something exports them: without a tracer provider ASP.NET Core still starts
        // the request's Activity (its trace and span ids are in every log line, an incoming traceparent is honoured
        // and HttpClient propagates it), at none of the cost of recording spans nobody reads.
        if (settings.OtlpTraces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsManagement(context, settings))
                .AddHttpClientInstrumentation()
                .AddSource(UsersTelemetry.Name)
                .AddOtlpExporter());
        }

        return settings.MetricsPort;
    }

    /// <summary>
    /// The management port's own little pipeline, first in line: <c>/metrics</c> there, 404 for anything else there,
    /// and nothing of it on the public port (where <c>/metrics</c> is an unknown path like any other). On Lambda,
    /// metrics are flushed as EMF after each invocation.
    /// </summary>
    public static WebApplication UseUsersTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<TelemetrySettings>();
        if (!settings.Enabled)
        {
            return app;
        }

        if (settings.MetricsPort > 0)
        {
            app.MapWhen(context => IsManagement(context, settings), management =>
            {
                // Scrapes are not requests of the API: keep them out of its RED metrics.
                management.Use((context, next) =>
                {
                    if (context.Features.Get<IHttpMetricsTagsFeature>() is { } tags)
                    {
                        tags.MetricsDisabled = true;
                    }

                    return next(context);
                });
                management.UseOpenTelemetryPrometheusScrapingEndpoint(MetricsPath);
                management.Run(context =>
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            });
        }

        if (settings.OnLambda)
        {
            var flusher = new EmfFlushMiddleware(app.Services);
            app.Use(flusher.InvokeAsync);
        }

        return app;
    }

    private static bool IsManagement(HttpContext context, TelemetrySettings settings) =>
        settings.MetricsPort > 0 && context.Connection.LocalPort == settings.MetricsPort;
}

/// <summary>What the telemetry needs to know at start, read once from configuration.</summary>
public sealed class TelemetrySettings
{
    /// <summary>False when <c>OTEL_SDK_DISABLED=true</c> (the OpenTelemetry switch): no provider, no exporter, no management port.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The management port (0: none); never on Lambda.</summary>
    public int MetricsPort { get; init; }

    /// <summary>True inside a Lambda execution environment (<c>AWS_LAMBDA_RUNTIME_API</c> set).</summary>
    public bool OnLambda { get; init; }

    public bool OtlpTraces { get; init; }

    public bool OtlpMetrics { get; init; }

    /// <summary><c>OTEL_SERVICE_NAME</c>, else <c>POWERTOOLS_SERVICE_NAME</c>, else users-api.</summary>
    public string ServiceName { get; init; } = "users-api";

    /// <summary>The EMF namespace: <c>POWERTOOLS_METRICS_NAMESPACE</c>, else UsersApi.</summary>
    public string MetricsNamespace { get; init; } = "UsersApi";

    /// <summary>The Lambda function's name (a dimension of ColdStart, as Powertools writes it).</summary>
    public string? FunctionName { get; init; }

    public static TelemetrySettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var api = new ApiOptions();
        // An invalid METRICS_PORT is reported by the settings validation at start; here it only means "no port".
        var valid = SettingsReader.ReadApi(configuration, api).Count == 0;
        var onLambda = SettingsReader.OnLambda(configuration);
        return new TelemetrySettings
        {
            Enabled = !string.Equals(configuration["OTEL_SDK_DISABLED"]?.Trim(), "true", StringComparison.OrdinalIgnoreCase),
            MetricsPort = onLambda || !valid ? 0 : api.MetricsPort,
            OnLambda = onLambda,
            OtlpTraces = Set(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT") || Set(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            OtlpMetrics = Set(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT") || Set(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
            ServiceName = First(configuration, "OTEL_SERVICE_NAME", "POWERTOOLS_SERVICE_NAME") ?? "users-api",
            MetricsNamespace = First(configuration, "POWERTOOLS_METRICS_NAMESPACE") ?? "UsersApi",
            FunctionName = First(configuration, "AWS_LAMBDA_FUNCTION_NAME"),
        };
    }

    private static bool Set(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);

    private static string? First(IConfiguration configuration, params string[] keys) =>
        keys.Select(k => configuration[k]?.Trim()).FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
