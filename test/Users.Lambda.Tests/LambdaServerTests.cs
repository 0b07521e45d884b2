using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Users.Lambda.Hosting.Runtime;
using Users.LambdaEmulator;

namespace Users.Lambda.Tests;

[Collection(LambdaRuntimeGroup.Name)]
public sealed class LambdaServerTests(LambdaAppFixture fixture) : IClassFixture<LambdaAppFixture>
{
    [Fact]
    public async Task Request_reaches_the_pipeline_with_path_query_cookies_ip_and_trace()
    {
        var e = Events.HttpApiV2("GET", "/prod/request", "q=a%20b", stage: "prod");
        e["cookies"] = new JsonArray("a=1", "b=2");
        const string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

        var result = await fixture.InvokeAsync(e.Bytes(), traceId: trace);

        Assert.Equal(InvocationStatus.Success, result.Status);
        var response = Events.Parse(result.Body);
        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        var seen = JsonDocument.Parse(response.GetProperty("body").GetString()!).RootElement;
        Assert.Equal("GET", seen.GetProperty("method").GetString());
        Assert.Equal("https", seen.GetProperty("scheme").GetString());
        Assert.Equal("/prod", seen.GetProperty("pathBase").GetString());
        Assert.Equal("/request", seen.GetProperty("path").GetString());
        Assert.Equal("a b", seen.GetProperty("q").GetString());
        Assert.Equal("1", seen.GetProperty("cookie:a").GetString());
        Assert.Equal("2", seen.GetProperty("cookie:b").GetString());
        Assert.Equal("203.0.113.7", seen.GetProperty("remoteIp").GetString());
        Assert.Equal(result.RequestId, seen.GetProperty("traceIdentifier").GetString());
        Assert.Equal(trace, seen.GetProperty("xray").GetString());
    }

    [Fact]
    public async Task Avatar_sized_binary_body_round_trips_base64_inside_the_invoke_limit()
    {
        var body = new byte[4 * 1024 * 1024];
        new Random(42).NextBytes(body);
        var e = Events.HttpApiV2("POST", "/echo").WithBody(body, "image/png");

        var result = await fixture.InvokeAsync(e.Bytes());

        Assert.Equal(InvocationStatus.Success, result.Status);
        Assert.True(result.Body.Length < RuntimeApiEmulator.MaxResponseBytes);
        var response = Events.Parse(result.Body);
        Assert.True(response.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal("image/png", response.GetProperty("headers").GetProperty("Content-Type").GetString());
        Assert.Equal(body, Convert.FromBase64String(response.GetProperty("body").GetString()!));
    }

    [Fact]
    public async Task Set_cookie_headers_come_back_as_cookies()
    {
        var result = await fixture.InvokeAsync(Events.HttpApiV2("GET", "/cookies").Bytes());

        var response = Events.Parse(result.Body);
        var cookies = response.GetProperty("cookies").EnumerateArray().Select(c => c.GetString()).ToArray();
        Assert.Equal(2, cookies.Length);
        Assert.StartsWith("first=1", cookies[0], StringComparison.Ordinal);
        Assert.Contains("httponly", cookies[1], StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ok", response.GetProperty("body").GetString());
    }

    [Fact]
    public async Task On_starting_callbacks_run_before_the_headers_are_read()
    {
        var result = await fixture.InvokeAsync(Events.HttpApiV2("GET", "/on-starting").Bytes());

        var response = Events.Parse(result.Body);
        Assert.Equal("yes", response.GetProperty("headers").GetProperty("X-Started").GetString());
    }

    [Fact]
    public async Task The_deadline_cancels_the_request()
    {
        var started = DateTimeOffset.UtcNow;

        // Deadline in 4 s, margin 1 s: RequestAborted fires at about 3 s and the app still answers in time.
        var result = await fixture.InvokeAsync(Events.HttpApiV2("GET", "/wait-for-deadline").Bytes(), TimeSpan.FromSeconds(4));

        Assert.Equal(InvocationStatus.Success, result.Status);
        Assert.Equal(499, Events.Parse(result.Body).GetProperty("statusCode").GetInt32());
        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task An_exception_before_the_response_started_is_a_500_response()
    {
        var result = await fixture.InvokeAsync(Events.HttpApiV2("GET", "/throw").Bytes());

        Assert.Equal(InvocationStatus.Success, result.Status);
        Assert.Equal(500, Events.Parse(result.Body).GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task An_exception_after_the_response_started_goes_to_the_error_route_and_the_loop_goes_on()
    {
        var result = await fixture.InvokeAsync(Events.HttpApiV2("GET", "/throw-after-start").Bytes());

        Assert.Equal(InvocationStatus.FunctionError, result.Status);
        Assert.Equal(RuntimeApiClient.ErrorContentType, result.ContentType);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_non_http_event_gets_an_error_and_the_loop_keeps_serving()
    {
        var sqs = new JsonObject { ["Records"] = new JsonArray(new JsonObject { ["eventSource"] = "aws:sqs", ["body"] = "hello" }) };

        var result = await fixture.InvokeAsync(sqs.Bytes());

        Assert.Equal(InvocationStatus.FunctionError, result.Status);
        Assert.Equal("UnsupportedEvent", result.ErrorType);
        Assert.Equal(RuntimeApiClient.ErrorContentType, result.ContentType);
        var error = Events.Parse(result.Body);
        Assert.Equal("UnsupportedEvent", error.GetProperty("errorType").GetString());
        Assert.Contains("HTTP", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, error.GetProperty("stackTrace").ValueKind);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Invalid_json_and_malformed_events_get_errors_and_the_loop_keeps_serving()
    {
        var notJson = await fixture.InvokeAsync(Encoding.UTF8.GetBytes("{not json"));
        var badBase64 = Events.HttpApiV2("POST", "/echo");
        badBase64["body"] = "***not base64***";
        badBase64["isBase64Encoded"] = true;
        var malformed = await fixture.InvokeAsync(badBase64.Bytes());

        Assert.Equal(InvocationStatus.FunctionError, notJson.Status);
        Assert.Equal("InvalidEvent", notJson.ErrorType);
        Assert.Equal(InvocationStatus.FunctionError, malformed.Status);
        Assert.Equal("InvalidEvent", malformed.ErrorType);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Rest_api_payload_1_0_is_served_too()
    {
        var e = Events.RestApiV1("GET", "/request");
        e["multiValueQueryStringParameters"] = new JsonObject { ["q"] = new JsonArray("x y") };

        var result = await fixture.InvokeAsync(e.Bytes());

        var response = Events.Parse(result.Body);
        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.True(response.TryGetProperty("multiValueHeaders", out _));
        var seen = JsonDocument.Parse(response.GetProperty("body").GetString()!).RootElement;
        Assert.Equal("/prod", seen.GetProperty("pathBase").GetString());
        Assert.Equal("x y", seen.GetProperty("q").GetString());
        Assert.Equal("198.51.100.9", seen.GetProperty("remoteIp").GetString());
    }

    private async Task AssertStillServingAsync()
    {
        var next = await fixture.InvokeAsync(Events.HttpApiV2("GET", "/cookies").Bytes());
        Assert.Equal(InvocationStatus.Success, next.Status);
        Assert.Equal(200, Events.Parse(next.Body).GetProperty("statusCode").GetInt32());
    }
}
