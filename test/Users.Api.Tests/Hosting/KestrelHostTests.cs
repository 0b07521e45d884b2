using System.Net;
using System.Text;
using System.Text.Json;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Hosting;

/// <summary>The Kestrel executable as a process: start-up validation, JSON logs, graceful shutdown, server limits.</summary>
public sealed class KestrelHostTests(KestrelApiFixture fixture) : IClassFixture<KestrelApiFixture>
{
    public static TheoryData<string, string> BadSettings => new()
    {
        { "AVATAR_MAX_BYTES", "abc" },
        { "AVATAR_MAX_BYTES", "0" },
        { "AVATAR_URL_MODE", "sometimes" },
        { "AWS_ENDPOINT_URL", "localhost:4566" },
        { "AVATARS_BUCKET_NAME", "Not_A_Bucket" },
        { "AWS_REGION", "mars" },
        { "SHUTDOWN_TIMEOUT_SECONDS", "-5" },
        { "METRICS_PORT", "70000" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task An_invalid_setting_stops_start_up_with_a_clear_message(string key, string value)
    {
        await using var app = AppProcess.Start(fixture.Settings(new Dictionary<string, string> { [key] = value }));

        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exitCode);
        var error = string.Join('\n', app.StandardError);
        Assert.Contains($"{key}='{value}' is not valid", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        // Nor a stack trace in the logs: the settings are checked before the host starts, so it has no failure to log.
        Assert.DoesNotContain("   at ", string.Join('\n', app.StandardOutput), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_settings_of_both_kinds_are_named_in_one_line_with_no_stack_trace()
    {
        // AVATARS_BUCKET_NAME is a storage setting, METRICS_PORT a telemetry one: both are named in one line, and the
        // host logs no "Hosting failed to start" with a stack trace.
        await using var app = AppProcess.Start(fixture.Settings(new Dictionary<string, string>
        {
            ["AVATARS_BUCKET_NAME"] = "Not_A_Bucket",
            ["METRICS_PORT"] = "70000",
        }));

        Assert.Equal(2, await app.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var line = Assert.Single(app.StandardError, l => l.StartsWith("Invalid configuration:", StringComparison.Ordinal));
        Assert.Contains("is not valid", line, StringComparison.Ordinal);
        Assert.Contains("AVATARS_BUCKET_NAME='Not_A_Bucket' is not valid", line, StringComparison.Ordinal);
        Assert.Contains("METRICS_PORT='70000' is not valid", line, StringComparison.Ordinal);
        var everything = string.Join('\n', app.StandardOutput.Concat(app.StandardError));
        Assert.DoesNotContain("   at ", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_issues_reproduction_names_the_region_and_the_queue_limit_in_one_line()
    {
        // As a new user tried it (issue 20): a storage setting and an admission one, of which only the second was named.
        await using var app = AppProcess.Start(fixture.Settings(new Dictionary<string, string>
        {
            ["AWS_REGION"] = "bad region!",
            ["ADMISSION_QUEUE_LIMIT"] = "-5",
        }));

        Assert.Equal(2, await app.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var line = Assert.Single(app.StandardError, l => l.Length > 0);
        Assert.Equal(
            "Invalid configuration: AWS_REGION='bad region!' is not valid: expected an AWS region such as us-east-1. " +
            "ADMISSION_QUEUE_LIMIT='-5' is not valid: expected a whole number of requests from 0 to 10000.",
            line);
        Assert.DoesNotContain(app.StandardOutput, l => l.Length > 0);
    }

    [Fact]
    public async Task Started_from_another_directory_each_request_writes_one_info_line_its_access_line()
    {
        // make run starts .local/api/Users.Functions.dll from the repository root: the shipped appsettings.json
        // (the framework's per-request lines at Warning) must apply wherever the app is started from.
        var elsewhere = Directory.CreateTempSubdirectory("users-api-cwd-");
        try
        {
            await using var app = AppProcess.Start(fixture.Settings(), workingDirectory: elsewhere.FullName);
            await app.WaitUntilLiveAsync();
            using var client = new HttpClient { BaseAddress = app.Address };
            using (var created = await client.PostAsync("/user", Images.Form("One Line", Images.UniqueEmail("one-line"), Images.Png)))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            for (var i = 0; i < 3; i++)
            {
                using var listed = await client.GetAsync("/users");
                Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            }

            app.Terminate();
            await app.WaitForExitAsync(TimeSpan.FromSeconds(30));

            var perRequest = app.StandardOutput
                .Where(l => l.Length > 0)
                .Select(l => JsonDocument.Parse(l).RootElement.Clone())
                .Where(e => e.TryGetProperty("request_id", out _) && e.GetProperty("level").GetString() is "info" or "debug" or "trace")
                .GroupBy(e => e.GetProperty("request_id").GetString())
                .ToList();
            Assert.Contains(perRequest, g => g.Any(e => e.TryGetProperty("path", out var p) && p.GetString() == "/user"));
            Assert.True(perRequest.Count(g => g.Any(e => e.TryGetProperty("path", out var p) && p.GetString() == "/users")) >= 3);
            Assert.All(perRequest, g =>
            {
                var line = Assert.Single(g);
                Assert.EndsWith("AccessLogMiddleware", line.GetProperty("category").GetString(), StringComparison.Ordinal);
            });
        }
        finally
        {
            elsewhere.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Logs_are_one_json_object_per_line_with_an_access_line_and_no_avatar_bytes()
    {
        await using var app = AppProcess.Start(fixture.Settings());
        await app.WaitUntilLiveAsync();
        using var client = new HttpClient { BaseAddress = app.Address };

        // A PNG carrying a marker: if avatar bytes ever reached a log, the marker would too.
        var marker = "AVATAR-BYTES-" + Guid.NewGuid().ToString("N");
        var avatar = Images.Png.Concat(Encoding.ASCII.GetBytes(marker)).ToArray();
        using (var created = await client.PostAsync("/user", Images.Form("Logged", Images.UniqueEmail("log"), avatar)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var missing = await client.GetAsync("/missing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        app.Terminate();
        await app.WaitForExitAsync(TimeSpan.FromSeconds(30));

        var lines = app.StandardOutput.Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        var entries = lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.All(entries, e =>
        {
            foreach (var field in new[] { "timestamp", "level", "category", "message" })
            {
                Assert.True(e.TryGetProperty(field, out _), $"missing '{field}' in {e}");
            }
        });

        var access = entries.Where(e => e.GetProperty("category").GetString()!.EndsWith("AccessLogMiddleware", StringComparison.Ordinal)).ToList();
        var post = Assert.Single(access, e => e.GetProperty("path").GetString() == "/user");
        Assert.Equal("POST", post.GetProperty("method").GetString());
        Assert.Equal(201, post.GetProperty("status").GetInt32());
        Assert.True(post.GetProperty("duration_ms").GetDouble() >= 0);
        Assert.False(string.IsNullOrEmpty(post.GetProperty("trace_id").GetString()));
        Assert.False(string.IsNullOrEmpty(post.GetProperty("request_id").GetString()));
        Assert.Contains(access, e => e.GetProperty("path").GetString() == "/missing" && e.GetProperty("status").GetInt32() == 404);
        Assert.DoesNotContain(lines, l => l.Contains(marker, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("AWS_SECRET_ACCESS_KEY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sigterm_lets_an_in_flight_request_finish()
    {
        await using var app = AppProcess.Start(fixture.Settings());
        await app.WaitUntilLiveAsync();
        using var client = new HttpClient { BaseAddress = app.Address };

        // Start a registration whose body arrives slowly, so the request is in flight when SIGTERM lands.
        var body = new SlowContent(Images.Form("Draining", Images.UniqueEmail("drain"), Images.Png));
        var inFlight = client.PostAsync("/user", body);
        await body.Started.Task;

        app.Terminate();
        body.Release();

        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(0, await app.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_body_over_the_server_limit_is_413_even_outside_the_avatar()
    {
        var form = Images.Form("Padded", Images.UniqueEmail("padded"), Images.Png);
        form.Add(new ByteArrayContent(new byte[(4 * 1024 * 1024) + (128 * 1024)]), "padding", "padding.bin");

        // With Expect: 100-continue the server can refuse on Content-Length before the client sends the body.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/user") { Content = form };
        request.Headers.ExpectContinue = true;
        using var response = await fixture.Client.SendAsync(request);

        await HttpAssert.Problem(response, HttpStatusCode.RequestEntityTooLarge);
    }
}
