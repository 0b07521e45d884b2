using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Users.Lambda.Hosting.Marshalling;
using Users.LambdaEmulator;

namespace Users.Lambda.Tests;

/// <summary>The emulator's REST API front (payload 1.0), and the adapter reading what it builds.</summary>
public sealed class RestApiFrontTests
{
    private static readonly string[] MultipartOnly = ["multipart/form-data"];

    [Fact]
    public void A_request_under_the_stage_is_one_to_the_execute_api_url()
    {
        var http = Request("GET", "/prod/users/a%20b", "?tag=x&tag=y%20z");
        http.Request.Headers.Append("X-Trace", new[] { "one", "two" });

        var json = Events.Parse(RestApiFront.BuildEvent(http, [], "prod", RestApiFront.DefaultBinaryMediaTypes));

        Assert.Equal("/users/a%20b", json.GetProperty("path").GetString());
        Assert.Equal("/{proxy+}", json.GetProperty("resource").GetString());
        Assert.Equal("users/a%20b", json.GetProperty("pathParameters").GetProperty("proxy").GetString());
        Assert.Equal("/prod/users/a%20b", json.GetProperty("requestContext").GetProperty("path").GetString());
        Assert.Equal("prod", json.GetProperty("requestContext").GetProperty("stage").GetString());
        Assert.Equal(["x", "y z"], Values(json.GetProperty("multiValueQueryStringParameters").GetProperty("tag")));
        Assert.Equal("y z", json.GetProperty("queryStringParameters").GetProperty("tag").GetString());
        Assert.Equal(["one", "two"], Values(json.GetProperty("multiValueHeaders").GetProperty("X-Trace")));
        Assert.Equal("two", json.GetProperty("headers").GetProperty("X-Trace").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("body").ValueKind);

        // And the adapter makes of it what the client asked for.
        var request = new RestApiV1EventShape().ReadRequest(json);
        Assert.Equal("/prod", request.PathBase.Value);
        Assert.Equal("/users/a b", request.Path.Value);
        Assert.Equal("?tag=x&tag=y%20z", request.QueryString);
    }

    [Fact]
    public void A_request_outside_the_stage_is_one_to_a_custom_domain_root_mapping()
    {
        var json = Events.Parse(RestApiFront.BuildEvent(Request("GET", "/users", ""), [], "prod", RestApiFront.DefaultBinaryMediaTypes));

        Assert.Equal("/users", json.GetProperty("path").GetString());
        Assert.Equal("/users", json.GetProperty("requestContext").GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("queryStringParameters").ValueKind);
        var request = new RestApiV1EventShape().ReadRequest(json);
        Assert.Equal(string.Empty, request.PathBase.Value ?? string.Empty);
        Assert.Equal("/users", request.Path.Value);
    }

    [Fact]
    public void A_body_of_a_binary_media_type_is_base64_and_any_other_is_text()
    {
        byte[] bytes = [0x89, 0x50, 0x4E, 0x47, 0xFF, 0x00];
        var multipart = Request("POST", "/prod/user", "");
        multipart.Request.ContentType = "multipart/form-data; boundary=x";
        var json = Request("POST", "/prod/user", "");
        json.Request.ContentType = "application/json";

        var binaryEvent = Events.Parse(RestApiFront.BuildEvent(multipart, bytes, "prod", MultipartOnly));
        var textEvent = Events.Parse(RestApiFront.BuildEvent(json, Encoding.UTF8.GetBytes("{\"a\":\"é\"}"), "prod", MultipartOnly));

        Assert.True(binaryEvent.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(bytes, Convert.FromBase64String(binaryEvent.GetProperty("body").GetString()!));
        Assert.False(textEvent.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal("{\"a\":\"é\"}", textEvent.GetProperty("body").GetString());
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=abc", true)]
    [InlineData("image/png", true)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Binary_media_types_match_exactly_or_by_wildcard(string? contentType, bool binary) =>
        Assert.Equal(binary, RestApiFront.Matches(["multipart/form-data", "image/*"], contentType));

    [Fact]
    public async Task A_response_naming_no_content_type_gets_application_json_and_a_null_one_gets_none()
    {
        var unnamed = await Respond("""{"statusCode":204,"headers":{},"multiValueHeaders":{},"body":"","isBase64Encoded":false}""");
        var nulled = await Respond("""{"statusCode":204,"headers":{},"multiValueHeaders":{"Content-Type":[null]},"body":"","isBase64Encoded":false}""");

        Assert.Equal("application/json", unnamed.Response.ContentType);
        Assert.Null(nulled.Response.ContentType);
        Assert.Equal(204, nulled.Response.StatusCode);
    }

    [Fact]
    public async Task A_base64_response_is_decoded_only_for_a_binary_media_type()
    {
        var body = Convert.ToBase64String([1, 2, 3]);
        var payload = $$"""{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"{{body}}","isBase64Encoded":true}""";

        var binary = await Respond(payload, ["image/png"]);
        var text = await Respond(payload, MultipartOnly);

        Assert.Equal(new byte[] { 1, 2, 3 }, ((MemoryStream)binary.Response.Body).ToArray());
        Assert.Equal(body, Encoding.UTF8.GetString(((MemoryStream)text.Response.Body).ToArray()));
    }

    [Theory]
    [InlineData(InvocationStatus.FunctionError, 502)]
    [InlineData(InvocationStatus.Timeout, 504)]
    public async Task Function_failures_are_gateway_errors(InvocationStatus status, int expected)
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();

        await RestApiFront.WriteResponseAsync(http, new InvocationResult(status, [], "Error", null), MultipartOnly);

        Assert.Equal(expected, http.Response.StatusCode);
    }

    [Fact]
    public async Task A_response_without_status_code_is_a_malformed_proxy_response()
    {
        var http = await Respond("""{"body":"hello"}""");

        Assert.Equal(502, http.Response.StatusCode);
    }

    private static DefaultHttpContext Request(string method, string path, string query)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = PathString.FromUriComponent(path);
        http.Request.QueryString = new QueryString(query);
        http.Request.Host = new HostString("127.0.0.1:3000");
        return http;
    }

    private static async Task<DefaultHttpContext> Respond(string payload, IReadOnlyList<string>? binaryMediaTypes = null)
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();
        var result = new InvocationResult(InvocationStatus.Success, Encoding.UTF8.GetBytes(payload), null, "application/json");
        await RestApiFront.WriteResponseAsync(http, result, binaryMediaTypes ?? MultipartOnly);
        return http;
    }

    private static string[] Values(JsonElement array) => array.EnumerateArray().Select(v => v.GetString() ?? "<null>").ToArray();
}
