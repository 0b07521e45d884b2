using System.Net;
using System.Text;
using System.Text.Json;
using Users.Api.Tests.Infrastructure;
using Users.LambdaEmulator;

namespace Users.Api.Tests.Hosting;

/// <summary>The function process on the Lambda path: init errors, Powertools-shaped logs, events that are not HTTP.</summary>
public sealed class LambdaHostTests(LambdaApiFixture fixture) : IClassFixture<LambdaApiFixture>
{
    [Fact]
    public async Task An_invalid_setting_is_reported_as_an_init_error_and_the_gateway_answers_500()
    {
        await using var api = await LambdaApi.StartAsync(fixture.Settings(new Dictionary<string, string> { ["AVATAR_MAX_BYTES"] = "abc" }));

        using var response = await api.Client.GetAsync("/users");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("{\"message\":\"Internal Server Error\"}", await response.Content.ReadAsStringAsync());
        var report = Assert.Single(api.Emulator.Runtime.InitErrors.Take(1));
        Assert.Equal("application/vnd.aws.lambda.error+json", report.ContentType);
        var error = JsonDocument.Parse(report.Body).RootElement;
        Assert.Contains("AVATAR_MAX_BYTES='abc' is not valid", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(report.ErrorType, error.GetProperty("errorType").GetString());
        Assert.Equal(0, api.Emulator.Runtime.NextCalls);
    }

    [Fact]
    public async Task Invalid_settings_of_every_class_are_all_in_the_init_error_and_the_one_line()
    {
        // One invalid setting of each class: storage, API, admission, telemetry.
        await using var api = await LambdaApi.StartAsync(fixture.Settings(new Dictionary<string, string>
        {
            ["AVATARS_BUCKET_NAME"] = "Not_A_Bucket",
            ["SHUTDOWN_TIMEOUT_SECONDS"] = "-5",
            ["ADMISSION_QUEUE_LIMIT"] = "-5",
            ["METRICS_PORT"] = "70000",
        }));

        using var response = await api.Client.GetAsync("/users");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var report = Assert.Single(api.Emulator.Runtime.InitErrors.Take(1));
        var message = JsonDocument.Parse(report.Body).RootElement.GetProperty("errorMessage").GetString();
        var line = Assert.Single(api.Output, l => l.StartsWith("Invalid configuration:", StringComparison.Ordinal));
        foreach (var named in new[] { "AVATARS_BUCKET_NAME='Not_A_Bucket'", "SHUTDOWN_TIMEOUT_SECONDS='-5'", "ADMISSION_QUEUE_LIMIT='-5'", "METRICS_PORT='70000'" })
        {
            Assert.Contains($"{named} is not valid", message, StringComparison.Ordinal);
            Assert.Contains($"{named} is not valid", line, StringComparison.Ordinal);
        }

        // The init error says what the line says.
        Assert.Equal(line, message);
        Assert.Equal("InvalidSettingsException", report.ErrorType);
        Assert.DoesNotContain(api.Output, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_have_the_powertools_fields_and_honour_service_name_and_level()
    {
        await using var api = await LambdaApi.StartAsync(fixture.Settings(new Dictionary<string, string>
        {
            ["POWERTOOLS_SERVICE_NAME"] = "users-api-under-test",
            ["POWERTOOLS_LOG_LEVEL"] = "Information",
        }));

        using (var first = await api.Client.GetAsync("/users"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var second = await api.Client.GetAsync("/missing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        }

        // Console logging is asynchronous: wait for the second invocation's lines to be written.
        List<JsonElement> lines = [];
        await Wait.Until(
            () =>
            {
                lines = [.. api.Output.Where(l => l.StartsWith('{') && !l.StartsWith("{\"_aws\"", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement)]; // EMF records: LambdaMetricsTests
                return Task.FromResult(lines.Select(l => l.TryGetProperty("function_request_id", out var id) ? id.GetString() : null).Where(id => id is not null).Distinct().Count() >= 2);
            },
            TimeSpan.FromSeconds(10),
            "log lines of two invocations");

        Assert.All(lines, line =>
        {
            foreach (var field in new[] { "timestamp", "level", "service", "message", "cold_start", "function_name", "function_version", "function_memory_size" })
            {
                Assert.True(line.TryGetProperty(field, out _), $"missing {field} in {line}");
            }

            Assert.Equal("users-api-under-test", line.GetProperty("service").GetString());
            Assert.Equal("users-api-tests", line.GetProperty("function_name").GetString());
            Assert.NotEqual("Debug", line.GetProperty("level").GetString());
        });
        var invocations = lines.Where(l => l.TryGetProperty("function_request_id", out _)).GroupBy(l => l.GetProperty("function_request_id").GetString()).ToList();
        Assert.Equal(2, invocations.Count);
        Assert.All(invocations[0], l => Assert.True(l.GetProperty("cold_start").GetBoolean()));
        Assert.All(invocations[1], l => Assert.False(l.GetProperty("cold_start").GetBoolean()));
        Assert.All(invocations.SelectMany(g => g), l =>
        {
            Assert.StartsWith("arn:aws:lambda:", l.GetProperty("function_arn").GetString(), StringComparison.Ordinal);
            Assert.Matches("^1-[0-9a-f]{8}-[0-9a-f]{24}$", l.GetProperty("xray_trace_id").GetString()!);
        });
    }

    [Fact]
    public async Task A_non_http_event_gets_an_error_and_the_function_keeps_serving()
    {
        await using var api = await LambdaApi.StartAsync(fixture.Settings());

        var result = await api.Emulator.InvokeAsync(Encoding.UTF8.GetBytes("{\"Records\":[{\"eventSource\":\"aws:sqs\",\"body\":\"hello\"}]}"));

        Assert.Equal(InvocationStatus.FunctionError, result.Status);
        Assert.Equal("UnsupportedEvent", result.ErrorType);
        using var response = await api.Client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, api.Emulator.Function.Starts);
    }
}
