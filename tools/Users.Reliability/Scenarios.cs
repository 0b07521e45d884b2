using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using static Users.Reliability.Campaign;

namespace Users.Reliability;

/// <summary>The campaign's scenarios. Each starts its own table, bucket and app, and ends with the integrity audit.</summary>
internal static class Scenarios
{
    public static readonly string[] All = ["sustained", "overload", "adaptive", "abuse", "faults", "rolling", "hostile", "fuzz"];

    public static readonly string[] Quick = ["adaptive", "abuse", "faults", "fuzz"];

    public static Task<ScenarioResult> RunAsync(string id, Campaign c) => id switch
    {
        "sustained" => SustainedAsync(c),
        "overload" => OverloadAsync(c),
        "adaptive" => AdaptiveScenario.RunAsync(c),
        "abuse" => AbuseAsync(c),
        "faults" => FaultsAsync(c),
        "rolling" => RollingAsync(c),
        "hostile" => HostileAsync(c),
        "fuzz" => FuzzAsync(c),
        _ => throw new ArgumentException($"Unknown scenario '{id}'; known: {string.Join(", ", All)}."),
    };

    private static bool Ok(Sample s) => s.Status is 200 or 201;

    // ---- 1. Sustained load ----------------------------------------------------------------------------------------

    private static async Task<ScenarioResult> SustainedAsync(Campaign c)
    {
        var r = new ScenarioResult("sustained", "Sustained load");
        // Below capacity on the shared 2-core machine with moto (25 req/s already queued there).
        const double rate = 10;
        var duration = c.Seconds(180, 20);
        r.Load = $"open model, {rate} req/s for {duration.TotalSeconds} s, 30% POST /user (1–2 KiB PNG), 70% GET /users?limit=20";
        using var storage = await c.NewStorageAsync("sustained");
        await using var app = await App.StartAsync(c, storage);
        var load = new Load(app.Url);

        var resources = new List<(double At, double Rss, int Threads, int Fds)>();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            var watch = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                if (app.Process.Sample() is { } s)
                {
                    resources.Add((watch.Elapsed.TotalSeconds, s.RssMiB, s.Threads, s.Fds));
                }

                await Task.Delay(1000, CancellationToken.None);
            }
        });
        await load.RunAsync(rate, duration, postShare: 0.3);
        await stop.CancelAsync();
        await sampler;

        var samples = load.Samples;
        var latencies = samples.Where(Ok).Select(s => s.Ms).ToList();
        r.Row("requests", $"{samples.Count} ({Stats.Statuses(samples)})");
        r.Row("latency p50 / p95 / p99 / max", $"{Stats.Ms(Stats.Percentile(latencies, 50))} / {Stats.Ms(Stats.Percentile(latencies, 95))} / {Stats.Ms(Stats.Percentile(latencies, 99))} / {Stats.Ms(latencies.DefaultIfEmpty().Max())}");
        r.Check(samples.All(Ok), "a response other than 200/201");

        // Leak check: after a warm-up third, memory, threads and descriptors stay flat.
        var warm = resources.Skip(resources.Count / 3).ToList();
        if (warm.Count >= 3)
        {
            var (first, last) = (warm[0], warm[^1]);
            var maxRss = warm.Max(x => x.Rss);
            r.Row("RSS after warm-up → end (max)", $"{F(first.Rss)} → {F(last.Rss)} MiB ({F(maxRss)})");
            r.Row("threads after warm-up → end (max)", $"{first.Threads} → {last.Threads} ({warm.Max(x => x.Threads)})");
            r.Row("open file descriptors after warm-up → end (max)", $"{first.Fds} → {last.Fds} ({warm.Max(x => x.Fds)})");
            r.Check(last.Rss <= (first.Rss * 1.25) + 16, $"RSS grew from {F(first.Rss)} to {F(last.Rss)} MiB after warm-up");
            r.Check(last.Threads <= first.Threads + 10, $"threads grew from {first.Threads} to {last.Threads}");
            r.Check(last.Fds <= first.Fds + 20, $"descriptors grew from {first.Fds} to {last.Fds}");
        }

        r.Add(await storage.AuditAsync(load.Created));
        return r;
    }

    // ---- 2. Overload and backpressure ------------------------------------------------------------------------------

    private static async Task<ScenarioResult> OverloadAsync(Campaign c)
    {
        var r = new ScenarioResult("overload", "Overload and backpressure: limiter on vs off");
        // 250 req/s is ~10× what moto serves here; more only measures the load generator fighting the app for 2 cores.
        const int rate = 250;
        var duration = c.Seconds(15, 6);
        r.Load = $"open model, {rate} req/s for {duration.TotalSeconds} s (well beyond what moto on this machine serves), 50% POST / 50% GET; the same load with the limiter on (the defaults: an adaptive limit of at most 32, 32 queued for at most 10 ms; the fixed limit is the adaptive scenario's comparison) and off (ADMISSION_MAX_CONCURRENT_REQUESTS=0, shown for comparison: only the default configuration must pass)";
        var runs = new[]
        {
            ("limiter on", new Dictionary<string, string>()),
            ("limiter off", new Dictionary<string, string> { ["ADMISSION_MAX_CONCURRENT_REQUESTS"] = "0" }),
        };

        // --quick (the make test subset) runs the default configuration only: the comparison costs a minute of backlog.
        foreach (var (label, settings) in c.Quick ? runs[..1] : runs)
        {
            using var storage = await c.NewStorageAsync("overload");
            await using var app = await App.StartAsync(c, storage, settings);
            var load = new Load(app.Url);
            var maxRss = 0.0;
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    maxRss = Math.Max(maxRss, app.Process.Sample()?.RssMiB ?? 0);
                    await Task.Delay(250, CancellationToken.None);
                }
            });
            var run = load.RunAsync(rate, duration, postShare: 0.5);
            await Task.Delay(duration);

            // Full service returns as soon as the load drops: the first quick, successful GET after the schedule ends.
            var dropped = Stopwatch.StartNew();
            double? recovered = null;
            while (dropped.Elapsed < TimeSpan.FromSeconds(60))
            {
                var (status, ms) = await load.ProbeAsync("/users?limit=20");
                if (status == 200 && ms < 500)
                {
                    recovered = dropped.Elapsed.TotalSeconds;
                    break;
                }

                await Task.Delay(100);
            }

            await run;
            await stop.CancelAsync();
            await sampler;

            var samples = load.Samples;
            var admitted = samples.Where(Ok).Select(s => s.Ms).ToList();
            var refused = samples.Where(s => s.Status == 503).ToList();
            r.Row($"{label}: responses", Stats.Statuses(samples));
            r.Row($"{label}: admitted p50 / p99 / max", $"{Stats.Ms(Stats.Percentile(admitted, 50))} / {Stats.Ms(Stats.Percentile(admitted, 99))} / {Stats.Ms(admitted.DefaultIfEmpty().Max())}");
            r.Row($"{label}: 503 answered in p50 / p99", $"{Stats.Ms(Stats.Percentile(refused.Select(s => s.Ms), 50))} / {Stats.Ms(Stats.Percentile(refused.Select(s => s.Ms), 99))} ({refused.Count(s => s.RetryAfter)} of {refused.Count} with Retry-After)");
            r.Row($"{label}: peak RSS", $"{F(maxRss)} MiB");
            r.Row($"{label}: full service after the load drops", recovered is null ? "not within 60 s" : $"{F(recovered.Value, "0.00")} s");
            r.Check(samples.All(s => s.Status != 500), $"{label}: a 500");
            r.Check(refused.All(s => s.RetryAfter), $"{label}: a 503 without Retry-After");
            if (label == "limiter on")
            {
                r.Check(samples.All(s => s.Status is 200 or 201 or 503), $"{label}: a response other than 200/201/503 (transport errors or timeouts)");
                r.Check(refused.Count > 0, $"{label}: the load never reached the limit (no 503)");
                r.Check(Stats.Percentile(refused.Select(s => s.Ms), 99) < 1000, $"{label}: refusals were not immediate");
                r.Check(recovered is < 5, $"{label}: full service did not return within 5 s");
            }

            // Without the limiter is the counterfactual: its audit is shown, the default configuration is what must pass.
            var on = label == "limiter on";
            await SettleAsync(r, app, label);
            r.Add(await storage.AuditAsync(load.Created), on ? $"{label}: integrity audit" : $"{label}: integrity audit (comparison only)", required: on);
        }

        return r;
    }

    // ---- 3. Abuse ----------------------------------------------------------------------------------------------------

    private static async Task<ScenarioResult> AbuseAsync(Campaign c)
    {
        var r = new ScenarioResult("abuse", "Abuse: one client floods POST /user");
        const double rate = 50;
        var duration = c.Seconds(10, 5);
        r.Load = $"one client (127.0.0.1) sends {rate} POST /user a second for {duration.TotalSeconds} s, each with a different made-up X-Forwarded-For; meanwhile an honest client (127.0.0.2) registers once. Defaults: burst 20, 20/min per address, no trusted proxy";
        using var storage = await c.NewStorageAsync("abuse");
        await using var app = await App.StartAsync(c, storage, new Dictionary<string, string> { ["REGISTER_RATE_LIMIT_PER_MINUTE"] = "20", ["REGISTER_RATE_LIMIT_BURST"] = "20" });
        var flood = new Load(app.Url, "127.0.0.1");
        var honest = new Load(app.Url, "127.0.0.2");
        var run = flood.RunAsync(rate, duration, postShare: 1, decorate: request =>
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"198.51.100.{Random.Shared.Next(1, 255)}");
            return request;
        });
        await Task.Delay(duration / 2);
        var honestResult = await honest.SendAsync(post: true);
        await run;

        var samples = flood.Samples.OrderBy(s => s.AtSeconds).ToList();
        var first429 = samples.FirstOrDefault(s => s.Status == 429);
        var createdByFlood = samples.Count(s => s.Status == 201);
        r.Row("flood responses", Stats.Statuses(samples));
        r.Row("flood registrations accepted", $"{createdByFlood} of {samples.Count}");
        r.Row("first 429 after", first429 is null ? "never" : $"{F(first429.AtSeconds - samples[0].AtSeconds, "0.00")} s ({samples.IndexOf(first429)} requests)");
        r.Row("429 with Retry-After", $"{samples.Count(s => s.Status == 429 && s.RetryAfter)} of {samples.Count(s => s.Status == 429)}");
        r.Row("honest client's registration", honestResult.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        r.Check(first429 is not null && first429.AtSeconds - samples[0].AtSeconds < 2, "the flood was not stopped within 2 s");
        r.Check(createdByFlood <= 20 + (int)Math.Ceiling(duration.TotalSeconds / 3) + 1, $"{createdByFlood} flood registrations got through");
        r.Check(samples.All(s => s.Status is 201 or 429), "a flood response other than 201/429");
        r.Check(samples.Where(s => s.Status == 429).All(s => s.RetryAfter), "a 429 without Retry-After");
        r.Check(honestResult.Status == 201, "the honest client was refused");
        r.Add(await storage.AuditAsync([.. flood.Created, .. honest.Created]));
        return r;
    }

    /// <summary>
    /// Before an audit: the avatars of registrations that failed without a known outcome are settled by the app's
    /// reconciler once the stores answer again (first look-up 10 s after the failure, back-off up to 30 s).
    /// </summary>
    private static async Task SettleAsync(ScenarioResult r, App app, string label)
    {
        var waited = await app.WaitForReconciledAsync(TimeSpan.FromSeconds(90));
        r.Row($"{label}: failed registrations' avatars settled by the reconciler", waited is null ? "not within 90 s" : $"{F(waited.Value, "0.0")} s after the load");
        r.Check(waited is not null, $"{label}: the reconciler did not settle every failed registration within 90 s");
    }

    // ---- 4. Dependency faults under load -------------------------------------------------------------------------------

    /// <summary>One fault of the scenario: what the proxy does, to which store, and how it is named in the report.</summary>
    private sealed record FaultCase(Target Target, FaultKind Kind, TimeSpan Delay, double Share, string Label)
    {
        /// <summary>Calls to the store fail outright (reset or never answered): requests that need it must get a 503.</summary>
        public bool Refuses => Kind is FaultKind.Unreachable or FaultKind.Hung;
    }

    private static async Task<ScenarioResult> FaultsAsync(Campaign c)
    {
        var r = new ScenarioResult("faults", "Dependency faults under load");
        var all = new FaultCase[]
        {
            new(Target.DynamoDb, FaultKind.Unreachable, default, 0, "DynamoDB unreachable (connections reset)"),
            new(Target.S3, FaultKind.Unreachable, default, 0, "S3 unreachable (connections reset)"),
            new(Target.DynamoDb, FaultKind.Hung, default, 0, "DynamoDB hung (accepted, never answered)"),
            new(Target.S3, FaultKind.Hung, default, 0, "S3 hung"),
            new(Target.DynamoDb, FaultKind.Slow, TimeSpan.FromMilliseconds(400), 0, "DynamoDB slow (+400 ms a call)"),
            new(Target.S3, FaultKind.Slow, TimeSpan.FromMilliseconds(400), 0, "S3 slow (+400 ms a call)"),
            new(Target.DynamoDb, FaultKind.Throttling, default, 0.3, "DynamoDB throttling (30% ProvisionedThroughputExceededException)"),
            new(Target.S3, FaultKind.Throttling, default, 0.3, "S3 throttling (30% 503 SlowDown)"),
        };
        // --quick: throttling, and both stores unreachable (DynamoDB down is where the reconciler must settle every avatar).
        var faults = c.Quick ? all.Where(f => f.Kind is FaultKind.Unreachable || (f.Kind is FaultKind.Throttling && f.Target == Target.DynamoDb)).ToArray() : all;
        const double rate = 10;
        var (before, during, after) = (c.Seconds(3, 2), c.Seconds(12, 6), c.Seconds(8, 5));
        r.Load = $"open model, {rate} req/s, 50% POST / 50% GET: {before.TotalSeconds} s clean, {during.TotalSeconds} s with the fault, {after.TotalSeconds} s clean; /health/live probed every 250 ms. " +
            $"Each fault on its own, through an HTTP proxy in front of moto, which counts the calls it faulted (each fault must have been injected; an unreachable or hung store must give 503s). " +
            $"Recovery: from the moment the fault clears, a GET /users and a POST /user every 250 ms, through the end of the load and {Recovery.StableFor.TotalSeconds} s after it; " +
            $"full service (the first probe of the final all-successful run) must return within {Recovery.Bound.TotalSeconds} s";
        r.Fault = string.Join("; ", faults.Select(f => f.Label));

        foreach (var fault in faults)
        {
            await FaultRunAsync(c, r, fault, before, during, after, rate);
        }

        return r;
    }

    /// <summary>One fault under load on a fresh app and storage: its rows and checks, then the settled integrity audit.</summary>
    private static async Task FaultRunAsync(Campaign c, ScenarioResult r, FaultCase fault, TimeSpan before, TimeSpan during, TimeSpan after, double rate)
    {
        using var storage = await c.NewStorageAsync("faults");
        await using var app = await App.StartAsync(c, storage);
        var load = new Load(app.Url);
        var probes = new Load(app.Url, timeout: TimeSpan.FromSeconds(10));
        var live = new List<double>();
        using var stop = new CancellationTokenSource();
        var prober = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, ms) = await load.ProbeAsync("/health/live");
                live.Add(status == 200 ? ms : double.PositiveInfinity);
                await Task.Delay(250, CancellationToken.None);
            }
        });

        var run = load.RunAsync(rate, before + during + after, postShare: 0.5);
        await Task.Delay(before);
        var faultStart = load.Now;
        var injectedBefore = c.Proxy.Injected;
        c.Proxy.Set(fault.Kind, fault.Target, fault.Delay, fault.Share);
        await Task.Delay(during);
        c.Proxy.Clear();
        var faultEnd = load.Now;
        var injected = c.Proxy.Injected - injectedBefore;
        var recovery = await Recovery.ProbeAsync(async () => Ok(await probes.SendAsync(post: false)) && Ok(await probes.SendAsync(post: true)), run);
        await run;
        await stop.CancelAsync();
        await prober;

        var samples = load.Samples;
        var inFault = samples.Where(s => s.AtSeconds >= faultStart && s.AtSeconds < faultEnd).ToList();
        var gets = inFault.Where(s => s.Kind == "get").ToList();
        var recovered = Recovery.Measure(recovery);
        r.Row($"{fault.Label}: calls faulted by the proxy", injected.ToString(System.Globalization.CultureInfo.InvariantCulture));
        r.Row($"{fault.Label}: during the fault", Stats.Statuses(inFault));
        r.Row($"{fault.Label}: slowest answer during the fault", Stats.Ms(inFault.Select(s => s.Ms).DefaultIfEmpty().Max()));
        r.Row($"{fault.Label}: /health/live p99 / max", $"{Stats.Ms(Stats.Percentile(live, 99))} / {Stats.Ms(live.DefaultIfEmpty().Max())}");
        r.Row($"{fault.Label}: full service after the fault cleared", recovered is null
            ? $"not when probing stopped, {F(recovery[^1].At)} s after ({recovery.Count(p => !p.Ok)} of {recovery.Count} probe rounds failed)"
            : $"{F(recovered.Value, "0.0")} s ({recovery.Count} probe rounds, {recovery.Count(p => !p.Ok)} failed)");
        r.Check(injected > 0, $"{fault.Label}: the proxy never injected the fault");
        r.Check(!fault.Refuses || inFault.Any(s => s.Status == 503), $"{fault.Label}: no 503 during the fault");
        r.Check(samples.All(s => s.Status is 200 or 201 or 503), $"{fault.Label}: a response other than 200/201/503");
        r.Check(samples.Where(s => s.Status == 503).All(s => s.RetryAfter), $"{fault.Label}: a 503 without Retry-After");
        r.Check(inFault.All(s => s.Ms < 10_000), $"{fault.Label}: an answer took 10 s or more");
        r.Check(Stats.Percentile(live, 99) < 1000, $"{fault.Label}: /health/live was slow (thread-pool starvation?)");
        r.Check(recovered <= Recovery.Bound.TotalSeconds, $"{fault.Label}: full service did not return within {Recovery.Bound.TotalSeconds} s of the fault clearing");
        if (fault.Target == Target.S3 && fault.Kind != FaultKind.Slow)
        {
            r.Check(gets.All(Ok), $"{fault.Label}: GET /users failed while only S3 was down");
        }

        await SettleAsync(r, app, fault.Label);
        r.Add(await storage.AuditAsync([.. load.Created, .. probes.Created]), $"{fault.Label}: integrity audit");
    }

    // ---- 5. Rolling restart -------------------------------------------------------------------------------------------

    private static async Task<ScenarioResult> RollingAsync(Campaign c)
    {
        var r = new ScenarioResult("rolling", "Rolling restart behind haproxy with zero loss");
        const int preStop = 5;
        const int shutdownTimeout = 20;
        const double rate = 20;
        r.Load = $"open model, {rate} req/s through haproxy (health check GET /health/ready as the chart's readiness probe: every 5 s, 3 s timeout, 3 failures), 50% POST / 50% GET, for the whole rollout";
        r.Fault = $"both instances replaced one after the other as the chart does it: endpoint removed (haproxy server set to drain), preStop pause {preStop} s, SIGTERM, drain within SHUTDOWN_TIMEOUT_SECONDS={shutdownTimeout}, new instance ready, endpoint added";
        if (!File.Exists("/usr/sbin/haproxy") && !File.Exists("/usr/bin/haproxy"))
        {
            r.Failures.Add("haproxy is not installed (apt-get install haproxy)");
            return r;
        }

        using var storage = await c.NewStorageAsync("rolling");
        var settings = new Dictionary<string, string> { ["SHUTDOWN_TIMEOUT_SECONDS"] = shutdownTimeout.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var ports = new[] { Net.FreePort(), Net.FreePort() };
        var apps = new App?[2];
        apps[0] = await App.StartAsync(c, storage, settings, ports[0]);
        apps[1] = await App.StartAsync(c, storage, settings, ports[1]);
        var dir = Directory.CreateTempSubdirectory("users-haproxy-");
        var front = Net.FreePort();
        var socket = Path.Combine(dir.FullName, "admin.sock");
        var config = Path.Combine(dir.FullName, "haproxy.cfg");
        await File.WriteAllTextAsync(config, $"""
            global
              stats socket {socket} mode 600 level admin
            defaults
              mode http
              timeout connect 2s
              timeout client 30s
              timeout server 30s
              timeout check 3s
              retries 3
              option redispatch
            frontend users
              bind 127.0.0.1:{front}
              default_backend app
            backend app
              balance roundrobin
              option httpchk GET /health/ready
              http-check expect status 200
              default-server inter 5s fall 3 rise 1
              server a 127.0.0.1:{ports[0]} check
              server b 127.0.0.1:{ports[1]} check

            """);
        await using var haproxy = ChildProcess.Start("haproxy", ["-f", config, "-db"], logPath: Path.Combine(c.LogDir, "haproxy.log"));
        try
        {
            var load = new Load(new Uri($"http://127.0.0.1:{front}"));
            r.Check(await Net.WaitUntilAsync(async () => (await load.ProbeAsync("/health/ready")).Status == 200, TimeSpan.FromSeconds(20)), "haproxy did not become ready");
            using var stop = new CancellationTokenSource();
            var run = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await load.RunAsync(rate, TimeSpan.FromSeconds(1), postShare: 0.5);
                }
            });

            await Task.Delay(TimeSpan.FromSeconds(3));
            for (var i = 0; i < 2; i++)
            {
                var name = i == 0 ? "a" : "b";
                await Admin(socket, $"set server app/{name} state drain");
                await Task.Delay(TimeSpan.FromSeconds(preStop));
                var old = apps[i]!;
                var terminated = Stopwatch.StartNew();
                old.Process.Terminate();
                var exited = await old.Process.WaitForExitAsync(TimeSpan.FromSeconds(shutdownTimeout + 5));
                r.Row($"instance {name}: exit after SIGTERM", exited ? $"{F(terminated.Elapsed.TotalSeconds, "0.00")} s, code {old.Process.ExitCode}" : "did not exit");
                r.Check(exited && old.Process.ExitCode == 0, $"instance {name} did not exit cleanly within the drain");
                await old.DisposeAsync();
                apps[i] = await App.StartAsync(c, storage, settings, ports[i]);
                await Admin(socket, $"set server app/{name} state ready");
                await Task.Delay(TimeSpan.FromSeconds(3));
            }

            await stop.CancelAsync();
            await run;
            var samples = load.Samples;
            r.Row("requests during the rollout", $"{samples.Count} ({Stats.Statuses(samples)})");
            r.Row("latency p50 / p99 / max", $"{Stats.Ms(Stats.Percentile(samples.Select(s => s.Ms), 50))} / {Stats.Ms(Stats.Percentile(samples.Select(s => s.Ms), 99))} / {Stats.Ms(samples.Select(s => s.Ms).DefaultIfEmpty().Max())}");
            r.Check(samples.All(Ok), "a failed request during the rollout");
            r.Add(await storage.AuditAsync(load.Created));
        }
        finally
        {
            foreach (var app in apps)
            {
                if (app is not null)
                {
                    await app.DisposeAsync();
                }
            }

            dir.Delete(recursive: true);
        }

        return r;
    }

    private static async Task Admin(string socketPath, string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"));
        var buffer = new byte[4096];
        while (await socket.ReceiveAsync(buffer) > 0)
        {
        }
    }

    // ---- 6. Hostile clients --------------------------------------------------------------------------------------------

    private static async Task<ScenarioResult> HostileAsync(Campaign c)
    {
        var r = new ScenarioResult("hostile", "Hostile clients");
        const double rate = 10;
        var phase = c.Seconds(20, 15);
        var idleCount = c.Quick ? 200 : 800;
        r.Load = $"well-behaved clients: {rate} req/s, 30% POST / 70% GET, {phase.TotalSeconds} s quiet (after 2 s of warm-up requests, not measured), then {phase.TotalSeconds} s while the hostile clients run";
        r.Fault = $"100 slowloris connections (a header line a second, never finished), 30 bodies trickled at 2 bytes/s, 20 header blocks of 64 KiB, {idleCount} idle connections, 5 multiparts of 5000 parts, 5 chunked bodies that never end";
        using var storage = await c.NewStorageAsync("hostile");
        await using var app = await App.StartAsync(c, storage);
        await app.WarmUpAsync(TimeSpan.FromSeconds(2)); // the quiet p99 (of 150–200 samples) is otherwise the first requests' JIT cost
        var quiet = new Load(app.Url);
        await quiet.RunAsync(rate, phase, postShare: 0.3);

        var busy = new Load(app.Url);
        using var stop = new CancellationTokenSource();
        var port = app.Url.Port;
        var slowloris = Enumerable.Range(0, 100).Select(_ => Hostile.SlowlorisAsync(port, stop.Token)).ToList();
        var trickles = Enumerable.Range(0, 30).Select(_ => Hostile.TrickleAsync(port, stop.Token)).ToList();
        var idle = Enumerable.Range(0, idleCount).Select(_ => Hostile.IdleAsync(port, stop.Token)).ToList();
        var headers = Enumerable.Range(0, 20).Select(_ => Hostile.HugeHeadersAsync(port)).ToList();
        var parts = Enumerable.Range(0, 5).Select(_ => Hostile.ManyPartsAsync(port)).ToList();
        var endless = Enumerable.Range(0, 5).Select(_ => Hostile.EndlessBodyAsync(port, stop.Token)).ToList();
        await busy.RunAsync(rate, phase, postShare: 0.3);
        await stop.CancelAsync();

        var cutSlowloris = (await Task.WhenAll(slowloris)).Where(t => t is not null).Select(t => t!.Value).ToList();
        var cutTrickles = (await Task.WhenAll(trickles)).Where(t => t is not null).Select(t => t!.Value).ToList();
        var idleAccepted = (await Task.WhenAll(idle)).Count(ok => ok);
        var headerStatuses = await Task.WhenAll(headers);
        var partStatuses = await Task.WhenAll(parts);
        var endlessStatuses = await Task.WhenAll(endless);

        var quietP99 = Stats.Percentile(quiet.Samples.Where(Ok).Select(s => s.Ms), 99);
        var busyP99 = Stats.Percentile(busy.Samples.Where(Ok).Select(s => s.Ms), 99);
        var baseline = Math.Max(quietP99, 10);
        r.Row("well-behaved p99: quiet → under attack", $"{Stats.Ms(quietP99)} → {Stats.Ms(busyP99)} (×{F(busyP99 / baseline, "0.00")} of max(quiet, 10 ms))");
        r.Row("well-behaved responses under attack", Stats.Statuses(busy.Samples));
        r.Row("slowloris cut by the server", $"{cutSlowloris.Count} of 100, median after {F(Stats.Percentile(cutSlowloris, 50))} s");
        r.Row("trickled bodies cut", $"{cutTrickles.Count} of 30, median after {F(Stats.Percentile(cutTrickles, 50))} s");
        r.Row("64 KiB header blocks", string.Join(", ", headerStatuses.GroupBy(s => s).Select(g => $"{g.Key}: {g.Count()}")));
        r.Row("5000-part multiparts", string.Join(", ", partStatuses.GroupBy(s => s).Select(g => $"{g.Key}: {g.Count()}")));
        r.Row("never-ending chunked bodies", string.Join(", ", endlessStatuses.GroupBy(s => s).Select(g => $"{g.Key}: {g.Count()}")));
        r.Row("idle connections held open", $"{idleAccepted} of {idleCount}");
        r.Check(busy.Samples.All(Ok) && quiet.Samples.All(Ok), "a well-behaved request failed");
        r.Check(busyP99 <= 2 * baseline, "well-behaved p99 more than doubled");
        r.Check(cutSlowloris.Count == 100, "a slowloris connection was not cut");
        r.Check(cutTrickles.Count == 30, "a trickled body was not cut");
        r.Check(headerStatuses.All(s => s == 431), "a huge header block was not refused with 431");
        r.Check(partStatuses.All(s => s == 400), "a many-part multipart was not refused with 400");
        r.Check(endlessStatuses.All(s => s == 413), "a never-ending body was not refused with 413");
        r.Add(await storage.AuditAsync([.. quiet.Created, .. busy.Created]));
        return r;
    }

    // ---- 7. Fuzzing over HTTP -------------------------------------------------------------------------------------------

    private static async Task<ScenarioResult> FuzzAsync(Campaign c)
    {
        var r = new ScenarioResult("fuzz", "Fuzzing POST /user over HTTP");
        var count = c.Quick ? 300 : 3000;
        r.Load = $"{count} mutated multipart bodies (byte flips, cuts, insertions, repeated slices, extra boundaries; random Content-Type) from seed 1, sequentially; the property-based suites (FsCheck) run in `make test` and `make fuzz`";
        using var storage = await c.NewStorageAsync("fuzz");
        await using var app = await App.StartAsync(c, storage);
        using var http = new HttpClient { BaseAddress = app.Url, Timeout = TimeSpan.FromSeconds(30) };
        var random = new Random(1);
        var statuses = new Dictionary<int, int>();
        var created = 0;
        for (var i = 0; i < count; i++)
        {
            var (contentType, body) = Hostile.FuzzCase(random);
            using var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            int status;
            try
            {
                using var response = await http.PostAsync("/user", content);
                status = (int)response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                status = -1;
            }

            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            created += status == 201 ? 1 : 0;
        }

        r.Row("responses", string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        r.Check(statuses.Keys.All(s => s is 201 or 400 or 409 or 413 or 415), "a response other than 201/400/409/413/415");
        var audit = await storage.AuditAsync([]);
        r.Check(audit.Items == created, $"{audit.Items} items for {created} responses 201");
        r.Add(audit);
        return r;
    }
}
