using System.Diagnostics;
using System.Globalization;
using Users.LambdaEmulator;

namespace Users.LambdaBench;

/// <summary>
/// usage: Users.LambdaBench LABEL FUNCTION_PATH [COLD_RUNS=5] [WARM_INVOKES=200] [PATH=/users] [JSON_OUT]
/// Cold start: function process start to the first response through the emulator (fresh process each run).
/// Warm: per-invoke latency seen by an HTTP client of the emulator's API Gateway front. Peak RSS: VmHWM of the function.
/// JSON_OUT: a file to append one JSON line to, with every cold start (bench/charts.py draws their distribution).
/// </summary>
internal static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 2)
        {
            await Console.Error.WriteLineAsync("usage: Users.LambdaBench LABEL FUNCTION_PATH [COLD_RUNS] [WARM_INVOKES] [PATH] [JSON_OUT]");
            return 2;
        }

        var label = args[0];
        var function = args[1];
        var coldRuns = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        var warmInvokes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 200;
        var path = args.Length > 4 ? args[4] : "/users";
        var jsonOut = args.Length > 5 ? args[5] : null;

        var cold = new List<double>();
        var warm = new List<double>();
        long peakRssKb = 0;
        for (var run = 0; run < coldRuns; run++)
        {
            await using var emulator = await Users.LambdaEmulator.LambdaEmulator.StartAsync(
                new FunctionOptions { Path = function, FunctionName = "users-api-bench", Output = _ => { } },
                new EmulatorOptions { Port = 0, StartFunctionLazily = true });
            using var client = new HttpClient { BaseAddress = emulator.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            var first = await TimeAsync(client, path, expectSuccess: true);
            cold.Add(Stopwatch.GetElapsedTime(emulator.Function.LastStartTimestamp).TotalMilliseconds - first.AfterMs);
            if (run == coldRuns - 1)
            {
                for (var i = 0; i < warmInvokes; i++)
                {
                    warm.Add((await TimeAsync(client, path, expectSuccess: true)).ElapsedMs);
                }
            }

            peakRssKb = Math.Max(peakRssKb, PeakRssKb(emulator.Function.ProcessId));
        }

        cold.Sort();
        warm.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-9} cold start ms: median {Median(cold):F0} (min {cold[0]:F0}, max {cold[^1]:F0}, n={cold.Count})   " +
            $"warm ms: p50 {Percentile(warm, 0.50):F2} p90 {Percentile(warm, 0.90):F2} p99 {Percentile(warm, 0.99):F2} (n={warm.Count})   " +
            $"peak RSS MB: {peakRssKb / 1024.0:F0}"));
        if (jsonOut is not null)
        {
            await File.AppendAllTextAsync(jsonOut, ResultJson(label, cold, warm, peakRssKb) + "\n");
        }

        return 0;
    }

    /// <summary>One line: the label, every cold start in milliseconds, the warm percentiles, the peak RSS.</summary>
    private static string ResultJson(string label, List<double> cold, List<double> warm, long peakRssKb)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("label", label);
            json.WriteStartArray("cold_ms");
            foreach (var ms in cold)
            {
                json.WriteNumberValue(Math.Round(ms, 1));
            }

            json.WriteEndArray();
            if (warm.Count > 0)
            {
                json.WriteNumber("warm_p50_ms", Math.Round(Percentile(warm, 0.50), 2));
                json.WriteNumber("warm_p99_ms", Math.Round(Percentile(warm, 0.99), 2));
            }

            json.WriteNumber("warm_invokes", warm.Count);
            json.WriteNumber("peak_rss_mb", Math.Round(peakRssKb / 1024.0, 1));
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task<(double ElapsedMs, double AfterMs)> TimeAsync(HttpClient client, string path, bool expectSuccess)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        await response.Content.ReadAsByteArrayAsync();
        var end = Stopwatch.GetTimestamp();
        if (expectSuccess && !response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}");
        }

        return (Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, Stopwatch.GetElapsedTime(end).TotalMilliseconds);
    }

    private static long PeakRssKb(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/status"))
        {
            return 0;
        }

        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static double Median(List<double> sorted) => Percentile(sorted, 0.5);

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
