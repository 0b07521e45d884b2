using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Users.Api.Tests.Infrastructure;
using Users.Functions.Health;
using Users.Functions.Http;

namespace Users.Api.Tests.Reliability;

/// <summary>
/// Admission control and server limits on the real Kestrel host against moto: the concurrency limiter, the
/// per-client registration limit and who may name the client, Kestrel's limits for hostile clients, the part limit.
/// Each test starts its own API instance with the limits it needs, on the fixture's table and bucket.
/// </summary>
public sealed class AdmissionControlTests(KestrelApiFixture fixture) : IClassFixture<KestrelApiFixture>
{
    private static HttpRequestMessage Register(string? forwardedFor = null)
    {
        // A form without an email: the endpoint answers 400 without touching storage, so only the limiter decides.
        var request = new HttpRequestMessage(HttpMethod.Post, "/user") { Content = Images.Form("Test User", null, null) };
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        return request;
    }

    private async Task<IRunningApi> StartAsync(params (string Key, string Value)[] settings) =>
        await fixture.StartApiAsync(settings.ToDictionary(s => s.Key, s => s.Value));

    private static async Task<HttpStatusCode> StatusOf(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        using (var response = await client.SendAsync(request))
        {
            return response.StatusCode;
        }
    }

    /// <summary>
    /// An instance whose storage is a black hole of its own (the fixture's emulator behind a proxy that accepts and
    /// never answers): a <c>GET /users</c> then holds its storage slot until the request timeout (6.5 s) or
    /// <see cref="TcpProxy.Start"/> gives the backend back to new connections.
    /// </summary>
    private async Task<(IRunningApi Api, TcpProxy Backend)> StartWithHungStorageAsync(params (string Key, string Value)[] settings)
    {
        var backend = new TcpProxy(MotoServer.Shared.Endpoint);
        backend.BlackHole();
        var api = await StartAsync([.. settings, ("AWS_ENDPOINT_URL", backend.Endpoint.ToString().TrimEnd('/'))]);
        return (api, backend);
    }

    /// <summary>Starts a <c>GET /users</c> on hung storage and returns once the storage pool counts it running.</summary>
    private static async Task<Task<HttpResponseMessage>> HoldTheOnlySlotAsync(IRunningApi api)
    {
        var holder = api.Client.GetAsync("/users");
        var pools = ((KestrelApi)api).Services.GetRequiredService<AdmissionLimiters>();
        await Wait.Until(() => Task.FromResult(pools.Storage!.GetStatistics()!.CurrentAvailablePermits == 0), TimeSpan.FromSeconds(10), "the holder to take the storage slot");
        return holder;
    }

    [Theory]
    [InlineData("adaptive")]
    [InlineData("fixed")]
    public async Task Beyond_the_concurrency_limit_requests_get_503_at_once_while_health_stays_served(string mode)
    {
        var (api, backend) = await StartWithHungStorageAsync(
            ("ADMISSION_LIMIT_MODE", mode), ("ADMISSION_MAX_CONCURRENT_REQUESTS", "1"), ("ADMISSION_QUEUE_LIMIT", "0"));
        await using var backendScope = backend;
        await using var apiScope = api;

        // Refusals are counted by pool and reason (users.admission.shed), from this host's meter.
        var shed = new List<(string? Pool, string? Reason)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "users.admission.shed" && instrument.Meter.Scope == ((KestrelApi)api).Services.GetRequiredService<IMeterFactory>())
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var all = tags.ToArray();
            lock (shed)
            {
                shed.Add((all.FirstOrDefault(t => t.Key == "users.admission.pool").Value as string, all.FirstOrDefault(t => t.Key == "reason").Value as string));
            }
        });
        listener.Start();

        // One GET /users hangs on storage and holds the only slot; the next is refused at once.
        var holder = await HoldTheOnlySlotAsync(api);
        var watch = Stopwatch.StartNew();
        using (var rejected = await api.Client.GetAsync("/users?limit=5"))
        {
            var problem = await HttpAssert.Problem(rejected, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("capacity", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(1), rejected.Headers.RetryAfter?.Delta);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"refused after {watch.Elapsed}");
        }

        // A registration's form is received under the upload pool; its storage step is refused like the list.
        using (var registration = await api.Client.PostAsync("/user", Images.Form("Test User", Images.UniqueEmail(), Images.Png)))
        {
            await HttpAssert.Problem(registration, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(1), registration.Headers.RetryAfter?.Delta);
        }

        lock (shed)
        {
            Assert.Contains((AdmissionLimiters.StoragePool, AdaptiveConcurrencyLimiter.Reasons.Limit), shed);
        }

        // Probes are exempt: a saturated pod is not restarted by its own limiter (readiness asks the hung storage).
        using (var live = await api.Client.GetAsync("/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        // The slot comes back when the holder ends (a retry on the backend given back, or its request timeout).
        backend.Start();
        (await holder.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();

        await Wait.Until(
            async () => await StatusOf(api.Client, new HttpRequestMessage(HttpMethod.Get, "/users?limit=5")) == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10),
            "GET /users to be served again");
    }

    [Fact]
    public async Task A_queued_request_waits_for_a_slot_within_the_queue_timeout_instead_of_being_refused()
    {
        var (api, backend) = await StartWithHungStorageAsync(
            ("ADMISSION_LIMIT_MODE", "adaptive"), ("ADMISSION_MAX_CONCURRENT_REQUESTS", "1"), ("ADMISSION_QUEUE_LIMIT", "1"), ("ADMISSION_QUEUE_TIMEOUT_MS", "10000"));
        await using var backendScope = backend;
        await using var apiScope = api;
        var holder = await HoldTheOnlySlotAsync(api);

        // Two more: one takes the queue's only place and waits, the other is refused at once.
        var first = api.Client.GetAsync("/users?limit=5");
        var second = api.Client.GetAsync("/users?limit=5");
        var refused = await Task.WhenAny(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        var waiting = refused == first ? second : first;
        using (var response = await refused)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Assert.False(waiting.IsCompleted);

        // The holder's request times out (6.5 s), the waiter gets its slot and, with the backend back, is served.
        backend.Start();
        using var served = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        (await holder).Dispose();
    }

    [Fact]
    public async Task A_queued_request_is_refused_when_the_queue_timeout_passes()
    {
        var (api, backend) = await StartWithHungStorageAsync(
            ("ADMISSION_LIMIT_MODE", "adaptive"), ("ADMISSION_MAX_CONCURRENT_REQUESTS", "1"), ("ADMISSION_QUEUE_LIMIT", "5"), ("ADMISSION_QUEUE_TIMEOUT_MS", "300"));
        await using var backendScope = backend;
        await using var apiScope = api;
        var holder = await HoldTheOnlySlotAsync(api);

        var watch = Stopwatch.StartNew();
        using var refused = await api.Client.GetAsync("/users?limit=5");
        var waited = watch.Elapsed;
        await HttpAssert.Problem(refused, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);

        // It waited its queue timeout, not the holder's whole request.
        Assert.InRange(waited.TotalMilliseconds, 280, 3000);
        backend.Start();
        (await holder.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();
    }

    [Fact]
    public async Task Registrations_beyond_the_per_client_burst_get_429_with_retry_after()
    {
        await using var api = await StartAsync(("REGISTER_RATE_LIMIT_BURST", "2"), ("REGISTER_RATE_LIMIT_PER_MINUTE", "1"));

        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(api.Client, Register()));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(api.Client, Register()));
        using var limited = await api.Client.SendAsync(Register());
        var problem = await HttpAssert.Problem(limited, HttpStatusCode.TooManyRequests);
        Assert.Contains("registrations", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);

        // Only registration is limited: reading goes on.
        using var list = await api.Client.GetAsync("/users");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task A_spoofed_forwarded_for_from_an_untrusted_peer_does_not_get_past_the_limit()
    {
        await using var api = await StartAsync(("REGISTER_RATE_LIMIT_BURST", "1"), ("REGISTER_RATE_LIMIT_PER_MINUTE", "1"));

        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(api.Client, Register("203.0.113.1")));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOf(api.Client, Register("203.0.113.2")));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOf(api.Client, Register("2001:db8::1")));
    }

    [Fact]
    public async Task A_trusted_proxy_names_the_client_but_cannot_be_used_to_launder_a_spoofed_chain()
    {
        await using var api = await StartAsync(
            ("REGISTER_RATE_LIMIT_BURST", "1"), ("REGISTER_RATE_LIMIT_PER_MINUTE", "1"), ("TRUSTED_PROXIES", "127.0.0.0/8, ::1"));

        // Two clients behind the same proxy each have their own bucket.
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(api.Client, Register("203.0.113.1")));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(api.Client, Register("203.0.113.2")));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOf(api.Client, Register("203.0.113.1")));

        // A client prepending its own entries: the proxy appended the real address last, and the chain stops
        // at the first untrusted hop, so the made-up entry is never believed.
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOf(api.Client, Register("198.51.100.7, 203.0.113.1")));

        // IPv6 clients share a bucket per /64.
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(api.Client, Register("2001:db8:0:1::1")));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOf(api.Client, Register("2001:db8:0:1::2")));
    }

    [Fact]
    public async Task Behind_the_alb_each_client_has_its_own_budget_and_a_spoofed_forwarded_for_counts_as_its_sender()
    {
        // The EKS profile on loopback: values-eks.yaml trusts the VPC CIDR, the network the ALB connects from; here the
        // ALB is a real haproxy connecting from 127.0.0.2, and only that address is trusted. Clients have addresses
        // of their own (127.0.0.11, .12, .13): two reach the service through the ALB, one sends straight to the pod.
        await using var api = await StartAsync(
            ("REGISTER_RATE_LIMIT_BURST", "1"), ("REGISTER_RATE_LIMIT_PER_MINUTE", "1"), ("TRUSTED_PROXIES", $"{AlbStandIn.SourceAddress}/32"));
        await using var alb = await AlbStandIn.StartAsync(api.Client.BaseAddress!);
        using var first = AlbStandIn.ClientFrom("127.0.0.11", alb.Address);
        using var second = AlbStandIn.ClientFrom("127.0.0.12", alb.Address);

        // Two clients behind the same ALB: each has its own budget. Were the ALB's address the client, the second
        // client's first registration would already be refused.
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(first, Register()));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(second, Register()));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOf(first, Register()));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOf(second, Register()));

        // A client naming someone else through the ALB: the ALB adds the address it saw after the made-up one, and
        // only the ALB's word is taken, so the client is still itself (an unused address would have had a budget).
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOf(first, Register("127.0.0.99")));

        // A sender outside the trusted network, straight to the pod: its X-Forwarded-For is ignored whatever it says,
        // so it counts as its own address, never as a fresh client or as someone else.
        using var outside = AlbStandIn.ClientFrom("127.0.0.13", api.Client.BaseAddress!);
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(outside, Register("127.0.0.11")));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOf(outside, Register("127.0.0.98")));
        using var firstDirect = AlbStandIn.ClientFrom("127.0.0.11", api.Client.BaseAddress!);
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOf(firstDirect, Register("203.0.113.50")));
    }

    [Fact]
    public async Task Headers_that_never_end_are_cut_by_the_headers_timeout()
    {
        await using var api = await StartAsync(("REQUEST_HEADERS_TIMEOUT_SECONDS", "1"));
        await using var slowloris = await RawHttp.ConnectAsync(api.Client.BaseAddress!);
        var started = Stopwatch.StartNew();
        await slowloris.SendAsync("GET /users HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n");

        var response = await slowloris.ReadToCloseAsync(TimeSpan.FromSeconds(10));
        Assert.True(RawHttp.Status(response) is null or 408, response);
        Assert.InRange(started.Elapsed.TotalSeconds, 0.5, 5);
    }

    [Fact]
    public async Task A_trickled_body_is_cut_by_the_minimum_data_rate()
    {
        // The form-read deadline far away: only the data rate is under test.
        await using var api = await StartAsync(("MIN_REQUEST_BODY_BYTES_PER_SECOND", "1000"), ("FORM_READ_TIMEOUT_SECONDS", "60"));
        await using var trickle = await RawHttp.ConnectAsync(api.Client.BaseAddress!);
        await trickle.SendAsync("POST /user HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n");

        // 5 bytes a second is far below 1000: cut after the 5 s grace period.
        var cutAfter = await trickle.TrickleUntilCutAsync(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(15));
        Assert.InRange(cutAfter.TotalSeconds, 4, 10);
    }

    [Theory]
    [InlineData(1, 20_000)]
    [InlineData(100, 10)]
    public async Task Oversized_header_blocks_are_refused_with_431(int count, int size)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users");
        for (var i = 0; i < count; i++)
        {
            request.Headers.TryAddWithoutValidation($"X-Padding-{i}", new string('a', size));
        }

        using var response = await fixture.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_refused_and_service_returns_when_they_close()
    {
        await using var api = await StartAsync(("MAX_CONCURRENT_CONNECTIONS", "3"));
        var idle = new List<RawHttp>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var connection = await RawHttp.ConnectAsync(api.Client.BaseAddress!);
                idle.Add(connection);

                // A request on each proves Kestrel has counted the connection.
                await connection.SendAsync("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
            }

            await using var extra = await RawHttp.ConnectAsync(api.Client.BaseAddress!);
            await extra.SendAsync("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
            var refused = await extra.ReadToCloseAsync(TimeSpan.FromSeconds(10));
            Assert.True(RawHttp.Status(refused) is null, refused);
        }
        finally
        {
            foreach (var connection in idle)
            {
                await connection.DisposeAsync();
            }
        }

        await Wait.Until(
            async () =>
            {
                try
                {
                    return await StatusOf(api.Client, new HttpRequestMessage(HttpMethod.Get, "/health/live")) == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(10),
            "a connection to be accepted again");
    }

    [Fact]
    public async Task A_multipart_with_thousands_of_parts_is_refused_quickly_and_writes_nothing()
    {
        var body = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            body.Append("--b\r\nContent-Disposition: form-data; name=\"f").Append(i).Append("\"\r\n\r\nx\r\n");
        }

        body.Append("--b--\r\n");
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body.ToString()));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");

        var before = await fixture.Storage.ObjectKeysAsync();
        var started = Stopwatch.StartNew();
        using var response = await fixture.Client.PostAsync("/user", content);
        var problem = await HttpAssert.Problem(response, HttpStatusCode.BadRequest);
        Assert.Contains("parts", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
        Assert.Equal(before, await fixture.Storage.ObjectKeysAsync());
    }

    [Fact]
    public async Task Readiness_fails_the_moment_shutdown_starts()
    {
        await using var api = (KestrelApi)await StartAsync();
        var health = api.Services.GetRequiredService<HealthCheckService>();
        static bool Ready(HealthCheckRegistration check) => check.Tags.Contains(HealthEndpoints.ReadyTag);

        var before = await health.CheckHealthAsync(Ready);
        Assert.Equal(HealthStatus.Healthy, before.Entries["shutdown"].Status);

        // Probe from inside the stopping notification: that is the window a load balancer sees (the server still
        // serves and drains), and the host cannot dispose its services before the probe has answered.
        var lifetime = api.Services.GetRequiredService<IHostApplicationLifetime>();
        var probed = new TaskCompletionSource<HealthReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStopping.Register(() =>
        {
            try
            {
                probed.SetResult(Task.Run(() => health.CheckHealthAsync(Ready)).GetAwaiter().GetResult());
            }
            catch (Exception e)
            {
                probed.SetException(e);
            }
        });
        lifetime.StopApplication();
        var during = await probed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HealthStatus.Unhealthy, during.Status);
        Assert.Equal(HealthStatus.Unhealthy, during.Entries["shutdown"].Status);
    }
}
