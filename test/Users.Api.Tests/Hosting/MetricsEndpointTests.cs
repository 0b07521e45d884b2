using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Hosting;

/// <summary>The app as a process with its management port (METRICS_PORT), as the container runs it.</summary>
public sealed class ManagementPortFixture : IAsyncLifetime
{
    private readonly KestrelApiFixture storage = new();

    public AppProcess App { get; private set; } = null!;

    public Uri Management { get; private set; } = null!;

    public KestrelApiFixture Storage => storage;

    public async Task InitializeAsync()
    {
        await storage.InitializeAsync();
        var port = MotoServer.FreePort();
        App = AppProcess.Start(storage.Settings(new Dictionary<string, string> { ["METRICS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        Management = new Uri($"http://127.0.0.1:{port}");
        await App.WaitUntilLiveAsync();
        await WarmUpAsync(App.Address);
    }

    /// <summary>One readiness probe creates both AWS clients, so a test's first registration is not a cold start.</summary>
    internal static async Task WarmUpAsync(Uri address)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var ready = await http.GetAsync(new Uri(address, "/health/ready"));
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await storage.DisposeAsync();
    }
}

/// <summary>
/// Prometheus metrics on the management port only, with bounded cardinality; the service's own instruments; the
/// W3C trace context honoured.
/// </summary>
public sealed partial class MetricsEndpointTests(ManagementPortFixture fixture) : IClassFixture<ManagementPortFixture>
{
    [Fact]
    public async Task Metrics_are_prometheus_text_on_the_management_port_and_an_unknown_path_on_the_public_port()
    {
        using var http = new HttpClient();

        using var scrape = await http.GetAsync(new Uri(fixture.Management, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Equal("text/plain", scrape.Content.Headers.ContentType?.MediaType);
        var text = await scrape.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_gc_collections_total counter", text, StringComparison.Ordinal);

        using var onPublic = await http.GetAsync(new Uri(fixture.App.Address, "/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
        Assert.Equal("application/problem+json", onPublic.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("# TYPE", await onPublic.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The API is not served on the management port.
        foreach (var path in new[] { "/users", "/health/live", "/health/ready", "/openapi/v1.json", "/swagger/index.html" })
        {
            using var api = await http.GetAsync(new Uri(fixture.Management, path));
            Assert.True(api.StatusCode == HttpStatusCode.NotFound, $"{path} answered {api.StatusCode} on the management port");
        }
    }

    [Fact]
    public async Task Unknown_paths_share_one_series_however_many_there_are()
    {
        using var http = new HttpClient();
        using (var first = await http.GetAsync(new Uri(fixture.App.Address, $"/unknown/{Guid.NewGuid():N}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        }

        var before = RequestSeries(await http.GetStringAsync(new Uri(fixture.Management, "/metrics")));
        for (var i = 0; i < 60; i++)
        {
            using var response = await http.GetAsync(new Uri(fixture.App.Address, $"/{Guid.NewGuid():N}/{i}?q={Guid.NewGuid():N}"));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // The exporter may answer a scrape from its short response cache: wait for one that has the 60 requests.
        Dictionary<string, double> after = [];
        await Wait.Until(
            async () =>
            {
                after = RequestSeries(await http.GetStringAsync(new Uri(fixture.Management, "/metrics")));
                return after.Any(s => s.Key.Contains("http_response_status_code=\"404\"", StringComparison.Ordinal) && s.Value >= 61);
            },
            TimeSpan.FromSeconds(10),
            "a scrape counting the 60 unknown paths");
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        var notFound = Assert.Single(after, s => s.Key.Contains("http_response_status_code=\"404\"", StringComparison.Ordinal) && s.Key.Contains("http_request_method=\"GET\"", StringComparison.Ordinal));
        Assert.DoesNotContain("http_route", notFound.Key, StringComparison.Ordinal);
        Assert.True(notFound.Value >= 61, $"404 count {notFound.Value}");
    }

    [Fact]
    public async Task A_registration_is_counted_with_its_outcome_avatar_size_and_dependency_calls_by_route_template()
    {
        using var http = new HttpClient();
        var email = Images.UniqueEmail("metrics");
        using (var created = await http.PostAsync(new Uri(fixture.App.Address, "/user"), Images.Form("Metered", email, Images.Png)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var duplicate = await http.PostAsync(new Uri(fixture.App.Address, "/user"), Images.Form("Metered", email, Images.Gif, "a.gif", "image/gif")))
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        }

        var text = await http.GetStringAsync(new Uri(fixture.Management, "/metrics"));
        Assert.Matches(Series("users_registrations_total", "outcome=\"created\""), text);
        Assert.Matches(Series("users_registrations_total", "outcome=\"duplicate\""), text);
        Assert.Matches(Series("users_avatar_size_bytes_count", "format=\"png\""), text);
        Assert.Matches(Series("users_avatar_orphan_cleanups_total", "result=\"removed\""), text);
        Assert.Matches(Series("users_dependency_calls_total", "dependency=\"S3\",operation=\"PutObject\",outcome=\"ok\""), text);
        // The losing conditional write is DynamoDB answering as designed, not a failure.
        Assert.Matches(Series("users_dependency_calls_total", "dependency=\"DynamoDB\",operation=\"PutItem\",outcome=\"ok\""), text);
        Assert.Matches(Series("users_dependency_duration_seconds_count", "dependency=\"DynamoDB\",operation=\"PutItem\",outcome=\"ok\""), text);
        Assert.Matches(Series("http_server_request_duration_seconds_count", "http_request_method=\"POST\",http_response_status_code=\"201\",http_route=\"/user\""), text);
    }

    [Fact]
    public async Task Concurrent_lists_share_scan_passes_and_each_is_the_whole_table()
    {
        // Counted by the service's own dependency counter, on the app process against moto (one Scan call per pass:
        // the table is under SCAN_PAGE_SIZE).
        const int lists = 24;
        using var http = new HttpClient();
        var before = ScanCalls(await http.GetStringAsync(new Uri(fixture.Management, "/metrics")));

        var bodies = await Task.WhenAll(Enumerable.Range(0, lists).Select(_ => http.GetStringAsync(new Uri(fixture.App.Address, "/users"))));

        var stored = (await fixture.Storage.Storage.ScanAsync()).Select(i => i["email"].S).Order(StringComparer.Ordinal).ToList();
        Assert.All(bodies, body => Assert.Equal(stored, JsonDocument.Parse(body).RootElement.EnumerateArray().Select(u => u.GetProperty("email").GetString()).Order(StringComparer.Ordinal)));
        double scans = 0;
        await Wait.Until(
            async () =>
            {
                scans = ScanCalls(await http.GetStringAsync(new Uri(fixture.Management, "/metrics"))) - before;
                return scans >= 1;
            },
            TimeSpan.FromSeconds(10),
            "a scrape counting the Scan calls");
        Assert.InRange(scans, 1, lists / 2);
    }

    [Fact]
    public async Task With_coalescing_off_every_list_is_a_scan_of_its_own()
    {
        var port = MotoServer.FreePort();
        await using var app = AppProcess.Start(fixture.Storage.Settings(new Dictionary<string, string>
        {
            ["METRICS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LIST_COALESCE"] = "false",
        }));
        await app.WaitUntilLiveAsync();
        var management = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => http.GetStringAsync(new Uri(app.Address, "/users"))));

        await Wait.Until(
            async () => ScanCalls(await http.GetStringAsync(new Uri(management, "/metrics"))) >= 8,
            TimeSpan.FromSeconds(10),
            "eight Scan calls counted");
        Assert.Equal(8, ScanCalls(await http.GetStringAsync(new Uri(management, "/metrics"))));
    }

    [Fact]
    public async Task The_admission_pools_limit_in_flight_and_queue_are_exported_per_pool()
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(fixture.Management, "/metrics"));

        // The defaults: the adaptive storage limit starts at 8 (and moves), the upload limit is 16.
        Assert.Matches(Series("users_admission_limit", "users_admission_pool=\"storage\""), text);
        Assert.Matches(Series("users_admission_limit", "users_admission_pool=\"upload\""), text);
        Assert.Matches(new Regex("(?m)^users_admission_in_flight\\{[^}]*users_admission_pool=\"storage\"[^}]*\\} [0-9]+"), text);
        Assert.Matches(new Regex("(?m)^users_admission_queued\\{[^}]*users_admission_pool=\"storage\"[^}]*\\} [0-9]+"), text);
    }

    [Fact]
    public async Task An_incoming_traceparent_is_the_trace_of_the_request_and_its_log_lines()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        // This process' own HttpClient would otherwise replace the header with its own trace (it traces too).
        using var handler = new SocketsHttpHandler { ActivityHeadersPropagator = null };
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.App.Address, "/users?limit=1"));
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        string? line = null;
        await Wait.Until(
            () =>
            {
                line = fixture.App.StandardOutput.FirstOrDefault(l => l.Contains(traceId, StringComparison.Ordinal) && l.Contains("\"status\"", StringComparison.Ordinal));
                return Task.FromResult(line is not null);
            },
            TimeSpan.FromSeconds(10),
            "the access line of the traced request");
        using var entry = JsonDocument.Parse(line!);
        Assert.Equal(traceId, entry.RootElement.GetProperty("trace_id").GetString());
        Assert.NotEqual("00f067aa0ba902b7", entry.RootElement.GetProperty("span_id").GetString());
    }

    private static Regex Series(string name, string labels) =>
        new($"(?m)^{Regex.Escape(name)}\\{{[^}}]*{Regex.Escape(labels)}[^}}]*\\}} [1-9][0-9]*");

    private static double ScanCalls(string text) => ScanCount().Matches(text).Sum(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex("(?m)^users_dependency_calls_total\\{[^}]*operation=\"Scan\"[^}]*\\} (?<value>[0-9.e+]+)")]
    private static partial Regex ScanCount();

    private static Dictionary<string, double> RequestSeries(string text) =>
        RequestCount().Matches(text).ToDictionary(m => m.Groups["labels"].Value, m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex("(?m)^http_server_request_duration_seconds_count\\{(?<labels>[^}]*)\\} (?<value>[0-9.e+]+)")]
    private static partial Regex RequestCount();
}

/// <summary>METRICS_PORT=0 and OTEL_SDK_DISABLED=true: no management listener.</summary>
public sealed class MetricsSwitchTests(KestrelApiFixture fixture) : IClassFixture<KestrelApiFixture>
{
    [Theory]
    [InlineData("METRICS_PORT", "0")]
    [InlineData("OTEL_SDK_DISABLED", "true")]
    public async Task Turned_off_only_the_public_port_listens(string key, string value)
    {
        await using var app = AppProcess.Start(fixture.Settings(new Dictionary<string, string> { [key] = value }));
        await app.WaitUntilLiveAsync();

        var listening = app.StandardOutput.Where(l => l.Contains("Now listening on", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(listening);
        Assert.Contains(app.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
        using var http = new HttpClient();
        using var metrics = await http.GetAsync(new Uri(app.Address, "/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
    }
}
