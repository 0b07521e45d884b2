using System.Globalization;

namespace Users.Reliability;

/// <summary>What a scenario reports: its figures as rows, the checks that failed, and the integrity audit.</summary>
internal sealed class ScenarioResult(string id, string title)
{
    public string Id { get; } = id;

    public string Title { get; } = title;

    public string Load { get; set; } = string.Empty;

    public string Fault { get; set; } = "none";

    public List<(string Figure, string Value)> Rows { get; } = [];

    public List<string> Failures { get; } = [];

    public List<Audit> Audits { get; } = [];

    public TimeSpan Elapsed { get; set; }

    public bool Passed => Failures.Count == 0 && Audits.All(a => a.Clean);

    public void Row(string figure, string value) => Rows.Add((figure, value));

    public void Check(bool condition, string failure)
    {
        if (!condition)
        {
            Failures.Add(failure);
        }
    }

    public void Add(Audit audit, string label = "integrity audit", bool required = true)
    {
        if (required)
        {
            Audits.Add(audit);
        }

        Row(label, (audit.Clean ? "clean: " : required ? "FAILED: " : "not clean: ") + audit);
    }
}

/// <summary>An app instance: the published service as its own process, on a loopback port.</summary>
internal sealed class App : IAsyncDisposable
{
    private App(ChildProcess process, Uri url, Uri metrics)
    {
        Process = process;
        Url = url;
        Metrics = metrics;
    }

    public ChildProcess Process { get; }

    public Uri Url { get; }

    /// <summary>The management port's /metrics.</summary>
    public Uri Metrics { get; }

    /// <summary>
    /// Requests that are not measured, before a phase that is: the first requests of each kind pay for JIT compilation,
    /// the SDK's first signing and new connections (60–100 ms for the first registration), which in a quiet phase of a
    /// few dozen samples is its p99. A closed loop of 4 clients, half registrations, for <paramref name="duration"/>.
    /// </summary>
    public Task WarmUpAsync(TimeSpan duration) =>
        new Load(Url, timeout: TimeSpan.FromSeconds(10)).ClosedLoopAsync(clients: 4, duration, postShare: 0.5);

    /// <summary>
    /// Waits (bounded) until the app's avatar reconciler has settled every failed registration it was handed
    /// (<c>users_avatar_reconciliation_pending</c> is 0), so the integrity audit sees the service's final state.
    /// Returns the seconds waited, or null when it did not settle in time.
    /// </summary>
    public async Task<double?> WaitForReconciledAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var settled = await Net.WaitUntilAsync(
            async () =>
            {
                var text = await http.GetStringAsync(Metrics);
                var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("users_avatar_reconciliation_pending", StringComparison.Ordinal));
                // Absent: nothing was ever handed over.
                return line is null || line.EndsWith(" 0", StringComparison.Ordinal);
            },
            timeout);
        return settled ? watch.Elapsed.TotalSeconds : null;
    }

    public static async Task<App> StartAsync(Campaign campaign, Storage storage, IReadOnlyDictionary<string, string>? settings = null, int? port = null)
    {
        var listen = port ?? Net.FreePort();
        var metricsPort = Net.FreePort();
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{listen}",
            ["USERS_TABLE_NAME"] = storage.TableName,
            ["AVATARS_BUCKET_NAME"] = storage.BucketName,
            ["AWS_REGION"] = Storage.Region,
            ["AWS_ENDPOINT_URL"] = campaign.Proxy.Endpoint.ToString().TrimEnd('/'),
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["Logging__LogLevel__Default"] = "Warning",

            // The load generator is one address: the per-client limit is the abuse scenario's subject, off elsewhere.
            ["REGISTER_RATE_LIMIT_PER_MINUTE"] = "0",
            ["METRICS_PORT"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var log = Path.Combine(campaign.LogDir, $"app-{Interlocked.Increment(ref campaign.AppCounter):D3}.log");
        // The published dll (JIT) or a native executable (the Native AOT build the image ships).
        var process = campaign.AppDll.EndsWith(".dll", StringComparison.Ordinal)
            ? ChildProcess.Start("dotnet", [campaign.AppDll], env, log)
            : ChildProcess.Start(campaign.AppDll, [], env, log);
        var app = new App(process, new Uri($"http://127.0.0.1:{listen}"), new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var ready = await Net.WaitUntilAsync(
            async () => !process.HasExited && (await http.GetAsync(new Uri(app.Url, "/health/ready"))).IsSuccessStatusCode,
            TimeSpan.FromSeconds(90));
        if (!ready)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"The app did not become ready; see {log}.");
        }

        return app;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>Shared by every scenario: the emulator, the fault proxy, the app to run, the run's size.</summary>
internal sealed class Campaign
{
    public int AppCounter;
    private int storageCounter;

    public required Uri Moto { get; init; }

    public required FaultProxy Proxy { get; init; }

    public required string AppDll { get; init; }

    public required string LogDir { get; init; }

    public required bool Quick { get; init; }

    /// <summary>A duration: the full figure, or the quick one with --quick.</summary>
    public TimeSpan Seconds(double full, double quick) => TimeSpan.FromSeconds(Quick ? quick : full);

    public Task<Storage> NewStorageAsync(string scenario) =>
        Storage.CreateAsync(Moto, $"{scenario}-{Interlocked.Increment(ref storageCounter)}-{Guid.NewGuid().ToString("N")[..6]}");

    public static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);
}
