using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Users.Functions.Settings;
using Users.Functions.Telemetry;

namespace Users.Api.Tests.Hosting;

/// <summary>What the telemetry reads at start, and what it registers for it.</summary>
public class TelemetryOptionsTests
{
    private static TelemetryOptions Read(params (string Key, string Value)[] values) =>
        SettingsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build()).Telemetry;

    [Fact]
    public void Defaults_serve_prometheus_on_the_management_port_and_export_nothing_over_otlp()
    {
        var settings = Read();

        Assert.True(settings.Enabled);
        Assert.Equal(9464, settings.MetricsPort);
        Assert.False(settings.OnLambda);
        Assert.False(settings.OtlpTraces);
        Assert.False(settings.OtlpMetrics);
        Assert.Equal(("users-api", "UsersApi"), (settings.ServiceName, settings.MetricsNamespace));
        Assert.Null(settings.FunctionName);
    }

    [Theory]
    [InlineData("true", false)]
    [InlineData(" TRUE ", false)]
    [InlineData("false", true)]
    [InlineData("1", true)]
    public void Otel_sdk_disabled_true_and_only_true_turns_telemetry_off(string value, bool enabled) =>
        Assert.Equal(enabled, Read(("OTEL_SDK_DISABLED", value)).Enabled);

    [Fact]
    public void On_lambda_there_is_no_management_port_even_when_one_is_set()
    {
        var settings = Read(("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"), ("METRICS_PORT", "9100"), ("AWS_LAMBDA_FUNCTION_NAME", "users-fn"));

        Assert.True(settings.OnLambda);
        Assert.Equal(0, settings.MetricsPort);
        Assert.Equal("users-fn", settings.FunctionName);
    }

    [Theory]
    [InlineData("9100", 9100)]
    [InlineData("0", 0)]
    [InlineData("70000", 0)]
    [InlineData("http", 0)]
    public void The_management_port_is_metrics_port_and_none_when_it_is_invalid(string value, int expected) =>
        Assert.Equal(expected, Read(("METRICS_PORT", value)).MetricsPort);

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", true, true)]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", true, false)]
    [InlineData("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", false, true)]
    public void Otlp_exports_each_signal_whose_endpoint_is_set(string key, bool traces, bool metrics)
    {
        var settings = Read((key, "http://127.0.0.1:4318"));

        Assert.Equal((traces, metrics), (settings.OtlpTraces, settings.OtlpMetrics));
    }

    [Fact]
    public void The_service_name_is_otels_then_powertools_and_a_blank_one_does_not_count()
    {
        Assert.Equal("from-otel", Read(("OTEL_SERVICE_NAME", "from-otel"), ("POWERTOOLS_SERVICE_NAME", "from-powertools")).ServiceName);
        Assert.Equal("from-powertools", Read(("OTEL_SERVICE_NAME", "  "), ("POWERTOOLS_SERVICE_NAME", " from-powertools ")).ServiceName);
        Assert.Equal("Custom", Read(("POWERTOOLS_METRICS_NAMESPACE", "Custom")).MetricsNamespace);
    }

    [Fact]
    public async Task Disabled_telemetry_registers_no_provider_and_no_management_port()
    {
        var builder = Builder(("OTEL_SDK_DISABLED", "true"));

        builder.AddUsersTelemetry(builder.AddUsersSettings().Telemetry);
        Assert.Null(builder.Configuration[WebHostDefaults.HttpPortsKey]);
        Assert.Null(builder.Configuration[WebHostDefaults.ServerUrlsKey]);
        await using var app = builder.Build();
        Assert.Same(app, app.UseUsersTelemetry());

        Assert.Null(app.Services.GetService<MeterProvider>());
        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task Spans_are_recorded_only_when_an_otlp_endpoint_is_set()
    {
        var without = Builder(("METRICS_PORT", "0"));
        without.AddUsersTelemetry(without.AddUsersSettings().Telemetry);
        Assert.Null(without.Configuration[WebHostDefaults.HttpPortsKey]);
        await using (var app = without.Build())
        {
            Assert.NotNull(app.Services.GetService<MeterProvider>());
            Assert.Null(app.Services.GetService<TracerProvider>());
        }

        var with = Builder(("METRICS_PORT", "9100"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"));
        with.AddUsersTelemetry(with.AddUsersSettings().Telemetry);
        Assert.Equal("9100", with.Configuration[WebHostDefaults.HttpPortsKey]);
        await using (var app = with.Build())
        {
            Assert.NotNull(app.Services.GetService<MeterProvider>());
            Assert.NotNull(app.Services.GetService<TracerProvider>());
        }
    }

    private static WebApplicationBuilder Builder(params (string Key, string Value)[] values)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Only these settings: none of the test run's own environment.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));
        return builder;
    }
}
