using System.Diagnostics.Metrics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Users.Core.Telemetry;
using Users.Functions.Telemetry;

namespace Users.Api.Tests.Hosting;

/// <summary>
/// The EMF exporter's own rules, through a real OpenTelemetry meter provider with delta temporality (as on Lambda):
/// what is written for each kind of instrument, the histogram approximation, dimensions, units, ColdStart.
/// The instruments have names of their own (other tests record the service's instruments at the same time in this
/// process), and each assertion looks only at the records carrying them.
/// </summary>
public sealed class EmfMetricExporterTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string prefix = $"test.{Guid.NewGuid():N}.";
    private readonly Meter meter = new(UsersTelemetry.Name);
    private readonly StringWriter output = new();
    private readonly MeterProvider provider;

    public EmfMetricExporterTests()
    {
        var settings = new TelemetryOptions { ServiceName = "users-api-unit", MetricsNamespace = "UnitNamespace", FunctionName = "users-fn" };
        provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(UsersTelemetry.Name, "Some.Other.Meter")
            .AddReader(new BaseExportingMetricReader(new EmfMetricExporter(settings, output, new FixedClock(Now)))
            {
                TemporalityPreference = MetricReaderTemporalityPreference.Delta,
            })
            .Build()!;
    }

    [Fact]
    public void The_first_flush_writes_one_cold_start_record_with_the_function_name_and_later_flushes_none()
    {
        var first = Flush();
        var second = Flush();

        var coldStart = Assert.Single(first, r => r.TryGetProperty("ColdStart", out _));
        Assert.Equal(1, coldStart.GetProperty("ColdStart").GetDouble());
        Assert.Equal("users-fn", coldStart.GetProperty("function_name").GetString());
        Assert.Equal("users-api-unit", coldStart.GetProperty("service").GetString());
        var directive = Directive(coldStart);
        Assert.Equal("UnitNamespace", directive.GetProperty("Namespace").GetString());
        Assert.Equal(["service", "function_name"], Dimensions(directive));
        Assert.Equal(Now.ToUnixTimeMilliseconds(), coldStart.GetProperty("_aws").GetProperty("Timestamp").GetInt64());
        Assert.DoesNotContain(second, r => r.TryGetProperty("ColdStart", out _));
    }

    [Fact]
    public void A_counter_writes_what_was_added_since_the_last_flush_and_nothing_once_it_is_idle()
    {
        var counter = meter.CreateCounter<long>(prefix + "calls", unit: "{call}");
        counter.Add(2, new KeyValuePair<string, object?>("outcome", "ok"));
        counter.Add(3, new KeyValuePair<string, object?>("outcome", "ok"));
        counter.Add(1, new KeyValuePair<string, object?>("outcome", "error"));

        var first = Mine(Flush());
        counter.Add(4, new KeyValuePair<string, object?>("outcome", "ok"));
        var second = Mine(Flush());
        var third = Mine(Flush());

        Assert.Equal(2, first.Count);
        Assert.Equal(5, Assert.Single(first, r => r.GetProperty("outcome").GetString() == "ok").GetProperty(prefix + "calls").GetDouble());
        Assert.Equal(1, Assert.Single(first, r => r.GetProperty("outcome").GetString() == "error").GetProperty(prefix + "calls").GetDouble());
        Assert.Equal(4, Assert.Single(second).GetProperty(prefix + "calls").GetDouble());
        Assert.Empty(third);
    }

    [Fact]
    public void Metrics_with_the_same_attributes_share_a_record_with_each_unit_in_cloudwatch_terms()
    {
        var tag = new KeyValuePair<string, object?>("operation", "PutItem");
        meter.CreateCounter<long>(prefix + "calls", unit: "{call}").Add(1, tag);
        meter.CreateHistogram<double>(prefix + "duration", unit: "s").Record(0.25, tag);
        meter.CreateCounter<double>(prefix + "bytes", unit: "By").Add(1.5, tag);

        var record = Assert.Single(Mine(Flush()));

        Assert.Equal("PutItem", record.GetProperty("operation").GetString());
        var units = Directive(record).GetProperty("Metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("Name").GetString()!, m => m.GetProperty("Unit").GetString());
        Assert.Equal("Count", units[prefix + "calls"]);
        Assert.Equal("Seconds", units[prefix + "duration"]);
        Assert.Equal("Bytes", units[prefix + "bytes"]);
        Assert.Equal(1.5, record.GetProperty(prefix + "bytes").GetDouble());
        Assert.Equal(["service", "operation"], Dimensions(Directive(record)));
    }

    [Fact]
    public void A_histogram_of_one_observation_writes_it_exactly()
    {
        meter.CreateHistogram<double>(prefix + "duration", unit: "s").Record(0.0123);

        var record = Assert.Single(Mine(Flush()));

        Assert.Equal(0.0123, record.GetProperty(prefix + "duration").GetDouble());
    }

    [Fact]
    public void A_histogram_writes_one_value_per_observation_at_its_bucket_bound_never_beyond_the_observed_range()
    {
        var histogram = meter.CreateHistogram(prefix + "size", unit: "By", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [10, 20, 50] });
        foreach (var value in new[] { 12.0, 15.0, 18.0, 30.0, 70.0, 90.0 })
        {
            histogram.Record(value);
        }

        var record = Assert.Single(Mine(Flush()));

        // (10,20]: three at 20; (20,50]: one at 50; (50,+inf): two at the observed maximum, 90.
        Assert.Equal([20.0, 20, 20, 50, 90, 90], record.GetProperty(prefix + "size").EnumerateArray().Select(v => v.GetDouble()));
    }

    [Fact]
    public void A_histogram_bucket_bound_above_every_observation_is_brought_down_to_the_maximum()
    {
        var histogram = meter.CreateHistogram(prefix + "duration", unit: "s", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 10] });
        histogram.Record(3);
        histogram.Record(4);

        var record = Assert.Single(Mine(Flush()));

        Assert.Equal([4.0, 4.0], record.GetProperty(prefix + "duration").EnumerateArray().Select(v => v.GetDouble()));
    }

    [Fact]
    public void A_histogram_writes_at_most_the_values_emf_allows_in_one_record()
    {
        var histogram = meter.CreateHistogram<double>(prefix + "duration", unit: "ms");
        for (var i = 0; i < EmfMetricExporter.MaxValues + 50; i++)
        {
            histogram.Record(i % 7);
        }

        var record = Assert.Single(Mine(Flush()));

        var values = record.GetProperty(prefix + "duration").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(EmfMetricExporter.MaxValues, values.Count);
        Assert.All(values, v => Assert.InRange(v, 0, 6));
        Assert.Equal("Milliseconds", Directive(record).GetProperty("Metrics")[0].GetProperty("Unit").GetString());
    }

    [Fact]
    public void Gauges_write_their_last_value_and_an_up_down_counter_back_at_zero_writes_nothing()
    {
        meter.CreateObservableGauge(prefix + "queue", () => 7L, unit: "{request}");
        meter.CreateObservableGauge(prefix + "ratio", () => 0.75, unit: "%");
        var inFlight = meter.CreateUpDownCounter<long>(prefix + "in_flight", unit: "{request}");
        inFlight.Add(1);
        inFlight.Add(-1);

        var record = Assert.Single(Mine(Flush()));

        Assert.Equal(7, record.GetProperty(prefix + "queue").GetDouble());
        Assert.Equal(0.75, record.GetProperty(prefix + "ratio").GetDouble());
        Assert.Equal("Percent", Directive(record).GetProperty("Metrics").EnumerateArray().Single(m => m.GetProperty("Name").GetString() == prefix + "ratio").GetProperty("Unit").GetString());
        Assert.False(record.TryGetProperty(prefix + "in_flight", out _));
    }

    [Fact]
    public void The_service_attribute_is_the_configured_one_and_dimensions_stay_within_cloudwatchs_limit_of_thirty()
    {
        var tags = Enumerable.Range(0, 40).Select(i => new KeyValuePair<string, object?>($"attr{i:D2}", i)).Append(new("service", "spoofed")).ToArray();
        meter.CreateCounter<long>(prefix + "calls").Add(1, tags);

        var record = Assert.Single(Mine(Flush()));

        Assert.Equal("users-api-unit", record.GetProperty("service").GetString());
        var dimensions = Dimensions(Directive(record));
        Assert.Equal(30, dimensions.Count);
        Assert.Equal("service", dimensions[0]);
        Assert.Single(dimensions, d => d == "service");
        Assert.All(dimensions, d => Assert.Equal(JsonValueKind.String, record.GetProperty(d).ValueKind));
    }

    [Fact]
    public void Meters_other_than_the_services_and_aspnetcores_are_not_written()
    {
        using var other = new Meter("Some.Other.Meter");
        other.CreateCounter<long>(prefix + "other").Add(1);
        meter.CreateCounter<long>(prefix + "ours").Add(1);

        var records = Mine(Flush());

        Assert.Contains(records, r => r.TryGetProperty(prefix + "ours", out _));
        Assert.DoesNotContain(records, r => r.TryGetProperty(prefix + "other", out _));
    }

    [Theory]
    [InlineData("s", "Seconds")]
    [InlineData("ms", "Milliseconds")]
    [InlineData("us", "Microseconds")]
    [InlineData("By", "Bytes")]
    [InlineData("KiBy", "Kilobytes")]
    [InlineData("MiBy", "Megabytes")]
    [InlineData("%", "Percent")]
    [InlineData("{registration}", "Count")]
    [InlineData(null, "Count")]
    public void Units_map_to_cloudwatch_units(string? unit, string expected) =>
        Assert.Equal(expected, EmfMetricExporter.Unit(unit));

    public void Dispose()
    {
        provider.Dispose();
        meter.Dispose();
        output.Dispose();
    }

    private static JsonElement Directive(JsonElement record) =>
        Assert.Single(record.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray());

    private static List<string> Dimensions(JsonElement directive) =>
        Assert.Single(directive.GetProperty("Dimensions").EnumerateArray()).EnumerateArray().Select(d => d.GetString()!).ToList();

    /// <summary>Exports now; returns the records written by this flush, one JSON object per line.</summary>
    private List<JsonElement> Flush()
    {
        var before = output.GetStringBuilder().Length;
        Assert.True(provider.ForceFlush());
        var written = output.GetStringBuilder().ToString(before, output.GetStringBuilder().Length - before);
        return written.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();
    }

    /// <summary>The records that carry at least one of this test's instruments (others record the service's own meanwhile).</summary>
    private List<JsonElement> Mine(List<JsonElement> records) =>
        records.Where(r => r.EnumerateObject().Any(p => p.Name.StartsWith(prefix, StringComparison.Ordinal))).ToList();

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
