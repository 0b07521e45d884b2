using System.Globalization;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Users.Core.Telemetry;

namespace Users.Functions.Telemetry;

/// <summary>
/// Writes metrics as CloudWatch Embedded Metric Format records, one JSON line each on stdout, in the shape
/// Powertools Metrics writes: <c>_aws.CloudWatchMetrics</c> with the namespace, a <c>service</c> dimension, and a
/// <c>ColdStart</c> count (dimensions <c>function_name</c>, <c>service</c>) in the first record of the process.
/// Points are deltas since the previous flush; one record per attribute set. Only the service's own meter and
/// ASP.NET Core's request duration are written (runtime metrics would cost a record per invocation each).
/// </summary>
internal sealed class EmfMetricExporter(TelemetryOptions settings, TextWriter output, TimeProvider clock) : BaseExporter<Metric>
{
    /// <summary>EMF allows at most 100 values per metric in one record.</summary>
    internal const int MaxValues = 100;

    private static readonly HashSet<string> ExportedMeters = new(StringComparer.Ordinal) { UsersTelemetry.Name, "Microsoft.AspNetCore.Hosting" };

    private readonly Lock gate = new();
    private bool coldStartWritten;

    public static MetricReader CreateReader(TelemetryOptions settings, TextWriter output) =>
        new BaseExportingMetricReader(new EmfMetricExporter(settings, output, TimeProvider.System))
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Delta,
        };

    public override ExportResult Export(in Batch<Metric> batch)
    {
        var records = new Dictionary<string, Record>(StringComparer.Ordinal);
        foreach (var metric in batch)
        {
            if (!ExportedMeters.Contains(metric.MeterName))
            {
                continue;
            }

            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var values = Values(metric.MetricType, point);
                if (values.Count == 0)
                {
                    continue;
                }

                var dimensions = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var tag in point.Tags)
                {
                    if (tag.Key != "service" && dimensions.Count < 29)
                    {
                        dimensions[tag.Key] = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty;
                    }
                }

                var key = string.Join('\u001f', dimensions.Select(d => d.Key + '\u001e' + d.Value));
                if (!records.TryGetValue(key, out var record))
                {
                    records[key] = record = new Record(dimensions);
                }

                record.Metrics[metric.Name] = (Unit(metric.Unit), values);
            }
        }

        lock (gate)
        {
            var timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (!coldStartWritten)
            {
                coldStartWritten = true;
                WriteColdStart(timestamp);
            }

            foreach (var record in records.Values)
            {
                Write(record, timestamp);
            }

            output.Flush();
        }

        return ExportResult.Success;
    }

    /// <summary>CloudWatch's unit for an OpenTelemetry (UCUM) unit: s, ms, By; any <c>{thing}</c> is a Count.</summary>
    internal static string Unit(string? unit) => unit switch
    {
        "s" => "Seconds",
        "ms" => "Milliseconds",
        "us" => "Microseconds",
        "By" => "Bytes",
        "KiBy" => "Kilobytes",
        "MiBy" => "Megabytes",
        "%" => "Percent",
        _ => "Count",
    };

    private static List<double> Values(MetricType type, in MetricPoint point)
    {
        switch (type)
        {
            case MetricType.LongSum:
            case MetricType.LongSumNonMonotonic:
                return point.GetSumLong() is var longSum && longSum != 0 ? [longSum] : [];
            case MetricType.DoubleSum:
            case MetricType.DoubleSumNonMonotonic:
                return point.GetSumDouble() is var doubleSum && doubleSum != 0 ? [doubleSum] : [];
            case MetricType.LongGauge:
                return [point.GetGaugeLastValueLong()];
            case MetricType.DoubleGauge:
                return [point.GetGaugeLastValueDouble()];
            case MetricType.Histogram:
                return HistogramValues(point);
            default:
                return [];
        }
    }

    /// <summary>
    /// The observations of a delta histogram as values: exact when there was one (its sum), otherwise one value per
    /// observation at its bucket's upper bound, kept within the observed min and max (at most <see cref="MaxValues"/>).
    /// </summary>
    private static List<double> HistogramValues(in MetricPoint point)
    {
        var count = point.GetHistogramCount();
        if (count == 0)
        {
            return [];
        }

        if (count == 1)
        {
            return [point.GetHistogramSum()];
        }

        var hasRange = point.TryGetHistogramMinMaxValues(out var min, out var max);
        var values = new List<double>();
        foreach (var bucket in point.GetHistogramBuckets())
        {
            var value = double.IsPositiveInfinity(bucket.ExplicitBound) ? (hasRange ? max : point.GetHistogramSum() / count) : bucket.ExplicitBound;
            if (hasRange)
            {
                value = Math.Clamp(value, min, max);
            }

            for (long i = 0; i < bucket.BucketCount && values.Count < MaxValues; i++)
            {
                values.Add(value);
            }
        }

        return values;
    }

    private void WriteColdStart(long timestamp)
    {
        var dimensions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (settings.FunctionName is { } function)
        {
            dimensions["function_name"] = function;
        }

        var record = new Record(dimensions);
        record.Metrics["ColdStart"] = ("Count", [1]);
        Write(record, timestamp);
    }

    private void Write(Record record, long timestamp)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", timestamp);
            json.WriteStartArray("CloudWatchMetrics");
            json.WriteStartObject();
            json.WriteString("Namespace", settings.MetricsNamespace);
            json.WriteStartArray("Dimensions");
            json.WriteStartArray();
            json.WriteStringValue("service");
            foreach (var name in record.Dimensions.Keys)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteStartArray("Metrics");
            foreach (var (name, (unit, _)) in record.Metrics)
            {
                json.WriteStartObject();
                json.WriteString("Name", name);
                json.WriteString("Unit", unit);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteString("service", settings.ServiceName);
            foreach (var (name, value) in record.Dimensions)
            {
                json.WriteString(name, value);
            }

            foreach (var (name, (_, values)) in record.Metrics)
            {
                if (values.Count == 1)
                {
                    json.WriteNumber(name, values[0]);
                }
                else
                {
                    json.WriteStartArray(name);
                    foreach (var value in values)
                    {
                        json.WriteNumberValue(value);
                    }

                    json.WriteEndArray();
                }
            }

            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private sealed class Record(SortedDictionary<string, string> dimensions)
    {
        public SortedDictionary<string, string> Dimensions { get; } = dimensions;

        public SortedDictionary<string, (string Unit, List<double> Values)> Metrics { get; } = new(StringComparer.Ordinal);
    }
}
