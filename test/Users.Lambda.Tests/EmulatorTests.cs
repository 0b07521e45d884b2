using System.Net;
using Users.LambdaEmulator;

namespace Users.Lambda.Tests;

/// <summary>The emulator's API Gateway front, where it does not need a function.</summary>
public sealed class EmulatorTests
{
    [Fact]
    public async Task An_event_over_the_6_MB_invoke_limit_is_refused_before_the_function_starts()
    {
        await using var emulator = await Users.LambdaEmulator.LambdaEmulator.StartAsync(
            new FunctionOptions { Path = "/nonexistent/bootstrap", Output = _ => { } },
            new EmulatorOptions { Port = 0, StartFunctionLazily = true });
        using var client = new HttpClient { BaseAddress = emulator.BaseAddress };
        using var body = new ByteArrayContent(new byte[5 * 1024 * 1024]); // base64: ~6.7 MB of event
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");

        using var response = await client.PostAsync(new Uri("/user", UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, emulator.Function.Starts);
    }

    [Fact]
    public async Task A_request_becomes_a_payload_2_0_event_with_base64_binary_body_and_cookies()
    {
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.Path = "/user";
        http.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?a=1&a=2");
        http.Request.Headers.Cookie = "x=1; y=2";
        http.Request.ContentType = "image/png";

        var json = Events.Parse(HttpApiFront.BuildEvent(http, [1, 2, 3]));

        Assert.Equal("2.0", json.GetProperty("version").GetString());
        Assert.Equal("/user", json.GetProperty("rawPath").GetString());
        Assert.Equal("a=1&a=2", json.GetProperty("rawQueryString").GetString());
        Assert.Equal(new[] { "x=1", "y=2" }, json.GetProperty("cookies").EnumerateArray().Select(c => c.GetString() ?? "").ToArray());
        Assert.True(json.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(new byte[] { 1, 2, 3 }, Convert.FromBase64String(json.GetProperty("body").GetString()!));
        Assert.Equal("POST", json.GetProperty("requestContext").GetProperty("http").GetProperty("method").GetString());
    }
}
