using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Users.Api.Tests.Infrastructure;
using Users.Functions.Http;

namespace Users.Api.Tests.Reliability;

/// <summary>
/// Slow uploads cannot hold the service (issue 19, item 4): against the app as its own Kestrel process, a registration
/// form must arrive within <c>FORM_READ_TIMEOUT_SECONDS</c> (408 problem), uploads take slots of their own
/// (<c>ADMISSION_MAX_CONCURRENT_UPLOADS</c>, 503 beyond), and the avatar's buffer grows with what arrives.
/// </summary>
public sealed class SlowUploadTests(ProcessApiFixture fixture) : IClassFixture<ProcessApiFixture>
{
    private const int SlowUploaders = 64;
    private const int QuietSamples = 60;

    [Fact]
    public async Task A_form_that_does_not_arrive_within_the_deadline_is_answered_408_and_writes_nothing()
    {
        await using var api = await fixture.StartApiAsync(new Dictionary<string, string> { ["FORM_READ_TIMEOUT_SECONDS"] = "1" });
        var before = await fixture.Storage.ObjectKeysAsync();

        // Fast enough for the server's minimum data rate, too slow for the overall deadline.
        await using var upload = await StartSlowUploadAsync(api.Client.BaseAddress!);
        var (status, body, after) = await upload.TrickleUntilAnsweredAsync(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(15));

        Assert.Equal(408, status);
        Assert.Contains("application/problem+json", body, StringComparison.Ordinal);
        Assert.Contains("FORM_READ_TIMEOUT_SECONDS", body, StringComparison.Ordinal);
        Assert.InRange(after.TotalSeconds, 0.9, 5);
        Assert.Equal(before, await fixture.Storage.ObjectKeysAsync());
    }

    [Fact]
    public async Task Sixty_four_slow_uploaders_neither_starve_normal_requests_nor_outlive_the_deadline()
    {
        var deadline = TimeSpan.FromSeconds(4);
        await using var api = await fixture.StartApiAsync(new Dictionary<string, string>
        {
            ["FORM_READ_TIMEOUT_SECONDS"] = deadline.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["ADMISSION_MAX_CONCURRENT_UPLOADS"] = "16",
        });

        // Quiet: normal clients alone.
        var quiet = await NormalRequestsAsync(api.Client, QuietSamples, TimeSpan.FromSeconds(30));

        // 64 slow uploaders at once: 16 take the upload slots and trickle, the rest are refused at once.
        var uploads = await Task.WhenAll(Enumerable.Range(0, SlowUploaders).Select(_ => StartSlowUploadAsync(api.Client.BaseAddress!)));
        var answered = uploads.Select(u => u.TrickleUntilAnsweredAsync(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20))).ToList();
        await Wait.Until(() => Task.FromResult(answered.Count(t => t.IsCompleted) >= SlowUploaders - 16), TimeSpan.FromSeconds(10), "the uploaders beyond the upload slots to be refused");

        // Loaded: the same normal clients while the admitted uploaders hold their slots.
        var loaded = await NormalRequestsAsync(api.Client, QuietSamples, deadline / 2);
        Assert.True(answered.Any(t => !t.IsCompleted), "the slow uploaders had all finished before the normal requests did: the overlap was not measured");
        var outcomes = await Task.WhenAll(answered);
        foreach (var upload in uploads)
        {
            await upload.DisposeAsync();
        }

        // The slow ones: each refused at once (503 + Retry-After) or cut by the deadline (408); none outlives it by much.
        var refused = outcomes.Where(o => o.Status == 503).ToList();
        var cut = outcomes.Where(o => o.Status == 408).ToList();
        Assert.Equal(SlowUploaders, refused.Count + cut.Count);
        Assert.InRange(cut.Count, 1, 16);
        Assert.All(refused, o => Assert.Contains("Retry-After: 1", o.Body, StringComparison.OrdinalIgnoreCase));
        Assert.All(cut, o => Assert.InRange(o.After.TotalSeconds, deadline.TotalSeconds - 0.5, deadline.TotalSeconds + 4));

        // Normal clients keep their latency: p99 within twice the quiet p99 (quiet taken as at least 10 ms, the
        // resolution of a shared 2-core machine), every one served.
        Assert.All(quiet.Concat(loaded), s => Assert.Equal(HttpStatusCode.OK, s.Status));
        Assert.True(loaded.Count >= 10, $"only {loaded.Count} normal requests during the slow uploads");
        var (quietP99, loadedP99) = (P99(quiet), P99(loaded));
        var bound = 2 * Math.Max(quietP99, 10);
        Assert.True(loadedP99 <= bound, $"normal requests' p99 {loadedP99:0.0} ms with slow uploaders, quiet {quietP99:0.0} ms: above {bound:0.0} ms");
    }

    [Fact]
    public async Task The_avatar_buffer_grows_with_what_arrives_not_with_the_claimed_content_length()
    {
        // A request claiming 4 MiB that brings a 100-byte avatar: before, the buffer was sized from the claim.
        var boundary = "b";
        var body = Encoding.ASCII.GetBytes(
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a.png\"\r\n\r\n{new string('x', 100)}\r\n--{boundary}--\r\n");
        var context = new DefaultHttpContext();
        context.Request.ContentType = $"multipart/form-data; boundary={boundary}";
        context.Request.ContentLength = 4 * 1024 * 1024;
        context.Request.Body = new MemoryStream(body);

        // The stream is in memory, so the read completes on this thread and its allocations are this thread's.
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var reading = MultipartUserForm.ReadAsync(context.Request, 4 * 1024 * 1024, TimeSpan.FromSeconds(30), CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(reading.IsCompleted, "the in-memory read did not complete synchronously: the allocation count would miss part of it");
        var result = await reading;

        Assert.Equal(100, Assert.IsType<FormReadResult.Read>(result).Avatar!.Value.Length);
        Assert.True(allocated < 512 * 1024, $"reading a 100-byte avatar allocated {allocated} bytes");
    }

    private static double P99(List<(HttpStatusCode Status, double Ms)> samples)
    {
        var sorted = samples.Select(s => s.Ms).Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.99) - 1)];
    }

    /// <summary>Up to <paramref name="count"/> sequential <c>GET /users?limit=5</c>, within <paramref name="window"/>.</summary>
    private static async Task<List<(HttpStatusCode Status, double Ms)>> NormalRequestsAsync(HttpClient client, int count, TimeSpan window)
    {
        var samples = new List<(HttpStatusCode, double)>();
        var elapsed = Stopwatch.StartNew();
        while (samples.Count < count && elapsed.Elapsed < window)
        {
            var watch = Stopwatch.StartNew();
            using var response = await client.GetAsync("/users?limit=5");
            await response.Content.ReadAsByteArrayAsync();
            samples.Add((response.StatusCode, watch.Elapsed.TotalMilliseconds));
        }

        return samples;
    }

    /// <summary>A registration that announces a 200 kB body and sends only its start: the caller trickles the rest.</summary>
    private static async Task<RawHttp> StartSlowUploadAsync(Uri address)
    {
        var upload = await RawHttp.ConnectAsync(address);
        await upload.SendAsync("POST /user HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 200000\r\n\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a.png\"\r\n\r\n");
        return upload;
    }
}
