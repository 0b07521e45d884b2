using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Users.Core.Telemetry;

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

    /// <summary>
    /// Registers the providers and exporters these options ask for, and on Kestrel the management port
    /// (<see cref="ManagementPort"/>: after <c>AddUsersHosting</c>, which settles the public port).
    /// </summary>
    public static WebApplicationBuilder AddUsersTelemetry(this WebApplicationBuilder builder, TelemetryOptions settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Enabled)
        {
            return builder;
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

            metrics.AddPushedExporters(settings);
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

        if (settings.MetricsPort > 0)
        {
            ManagementPort.ListenAlsoOn(builder, settings.MetricsPort);
        }

        return builder;
    }

    /// <summary>
    /// The avatar sweep's telemetry (no web server): the service's own instruments, written as EMF on Lambda (the
    /// invocation handler flushes them) and over OTLP when the <c>OTEL_EXPORTER_OTLP_*</c> variables say where (a
    /// CronJob's run lasts seconds: nothing would scrape a port; its summary log line carries the same figures).
    /// </summary>
    public static IHostApplicationBuilder AddSweepTelemetry(this IHostApplicationBuilder builder, TelemetryOptions settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Enabled)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName))
            .WithMetrics(metrics => metrics.AddMeter(UsersTelemetry.Name).AddPushedExporters(settings));
        if (settings.OtlpTraces)
        {
            telemetry.WithTracing(tracing => tracing.AddHttpClientInstrumentation().AddSource(UsersTelemetry.Name).AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>The exporters both hosts push to: EMF on Lambda, OTLP where the <c>OTEL_EXPORTER_OTLP_*</c> variables say.</summary>
    private static MeterProviderBuilder AddPushedExporters(this MeterProviderBuilder metrics, TelemetryOptions settings)
    {
        if (settings.OnLambda)
        {
            metrics.AddReader(EmfMetricExporter.CreateReader(settings, Console.Out));
        }

        if (settings.OtlpMetrics)
        {
            metrics.AddOtlpExporter();
        }

        return metrics;
    }

    /// <summary>
    /// The management port's own little pipeline, first in line: <c>/metrics</c> there, 404 for anything else there,
    /// and nothing of it on the public port (where <c>/metrics</c> is an unknown path like any other). On Lambda,
    /// metrics are flushed as EMF after each invocation.
    /// </summary>
    public static WebApplication UseUsersTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
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

    private static bool IsManagement(HttpContext context, TelemetryOptions settings) =>
        settings.MetricsPort > 0 && context.Connection.LocalPort == settings.MetricsPort;
}
