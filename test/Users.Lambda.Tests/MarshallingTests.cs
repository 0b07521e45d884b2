using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Users.Lambda.Hosting.Marshalling;
using static Users.Lambda.Tests.StringsHelper;

namespace Users.Lambda.Tests;

internal static class StringsHelper
{
    public static string[] Strings(IEnumerable<string?> values) => values.Select(v => v ?? "<null>").ToArray();
}

public class HttpApiV2MarshallingTests
{
    private readonly HttpApiV2EventShape shape = new();

    [Fact]
    public void Binary_body_is_decoded_from_base64_byte_for_byte()
    {
        var body = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var e = Events.HttpApiV2("POST", "/user").WithBody(body, "application/octet-stream");

        var request = shape.ReadRequest(e.Parse());

        Assert.Equal(body, request.Body);
        Assert.Equal(256, request.Headers.ContentLength);
    }

    [Fact]
    public void Text_body_is_taken_as_utf8()
    {
        var e = Events.HttpApiV2("POST", "/x").WithBody(Encoding.UTF8.GetBytes("{\"name\":\"Zoë\"}"), "application/json", base64: false);

        var request = shape.ReadRequest(e.Parse());

        Assert.Equal("{\"name\":\"Zoë\"}", Encoding.UTF8.GetString(request.Body));
    }

    [Fact]
    public void Cookies_array_becomes_one_cookie_header()
    {
        var e = Events.HttpApiV2("GET", "/users");
        e["cookies"] = new JsonArray("session=abc", "theme=dark");

        var request = shape.ReadRequest(e.Parse());

        Assert.Equal("session=abc; theme=dark", request.Headers.Cookie.ToString());
    }

    [Fact]
    public void Repeated_headers_keep_their_comma_joined_values()
    {
        var e = Events.HttpApiV2("GET", "/users");
        e["headers"]!["accept"] = "application/json,text/plain";
        e["headers"]!["x-custom"] = "a,b";

        var request = shape.ReadRequest(e.Parse());

        Assert.Equal("application/json,text/plain", request.Headers.Accept.ToString());
        Assert.Equal(new[] { "a", "b" }, request.Headers.GetCommaSeparatedValues("X-Custom"));
    }

    [Fact]
    public void Raw_query_string_is_kept_encoded_and_parses_back()
    {
        var e = Events.HttpApiV2("GET", "/users", "q=a%20b%26c&tag=x&tag=y&empty=");

        var request = shape.ReadRequest(e.Parse());

        Assert.Equal("?q=a%20b%26c&tag=x&tag=y&empty=", request.QueryString);
        var query = QueryHelpers.ParseQuery(request.QueryString);
        Assert.Equal("a b&c", query["q"].ToString());
        Assert.Equal(new[] { "x", "y" }, Strings(query["tag"]));
        Assert.Equal("/users?q=a%20b%26c&tag=x&tag=y&empty=", request.RawTarget);
    }

    [Fact]
    public void Named_stage_prefix_becomes_the_path_base()
    {
        var e = Events.HttpApiV2("GET", "/prod/users", stage: "prod");

        var request = shape.ReadRequest(e.Parse());

        Assert.Equal("/prod", request.PathBase.Value);
        Assert.Equal("/users", request.Path.Value);
    }

    [Fact]
    public void Default_stage_leaves_the_path_alone()
    {
        var e = Events.HttpApiV2("GET", "/prod/users");

        var request = shape.ReadRequest(e.Parse());

        Assert.Equal(string.Empty, request.PathBase.Value ?? string.Empty);
        Assert.Equal("/prod/users", request.Path.Value);
    }

    [Fact]
    public void Percent_encoded_path_is_decoded()
    {
        var e = Events.HttpApiV2("GET", "/files/a%20b");

        var request = shape.ReadRequest(e.Parse());

        Assert.Equal("/files/a b", request.Path.Value);
    }

    [Fact]
    public void Method_source_ip_and_scheme_come_from_the_request_context()
    {
        var e = Events.HttpApiV2("post", "/user");

        var request = shape.ReadRequest(e.Parse());

        Assert.Equal("POST", request.Method);
        Assert.Equal(IPAddress.Parse("203.0.113.7"), request.RemoteIpAddress);
        Assert.Equal("https", request.Scheme);
    }

    [Fact]
    public void Response_set_cookie_headers_become_cookies_and_json_stays_text()
    {
        IHeaderDictionary headers = new HeaderDictionary { ["X-Multi"] = new[] { "1", "2" } };
        headers.ContentType = "application/problem+json; charset=utf-8";
        headers.Append("Set-Cookie", "a=1; Path=/");
        headers.Append("Set-Cookie", "b=2; HttpOnly");
        headers.ContentLength = 13;

        var json = Events.Parse(shape.WriteResponse(new LambdaHttpResponse(400, headers, Encoding.UTF8.GetBytes("{\"title\":\"x\"}"))));

        Assert.Equal(400, json.GetProperty("statusCode").GetInt32());
        Assert.Equal(new[] { "a=1; Path=/", "b=2; HttpOnly" }, Strings(json.GetProperty("cookies").EnumerateArray().Select(c => c.GetString())));
        var names = json.GetProperty("headers").EnumerateObject().Select(h => h.Name).ToArray();
        Assert.DoesNotContain(names, n => n.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(names, n => n.Equals("Content-Length", StringComparison.OrdinalIgnoreCase));
        // Names as the app wrote them, not lower-cased: AWS's emulator matches Content-Type case-sensitively.
        Assert.Equal(["X-Multi", "Content-Type"], names);
        Assert.Equal("1,2", json.GetProperty("headers").GetProperty("X-Multi").GetString());
        Assert.False(json.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal("{\"title\":\"x\"}", json.GetProperty("body").GetString());
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("application/octet-stream")]
    [InlineData("text/plain; charset=iso-8859-1")]
    [InlineData(null)]
    public void Response_non_text_bodies_are_base64_encoded(string? contentType)
    {
        var body = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF };
        IHeaderDictionary headers = new HeaderDictionary();
        if (contentType is not null)
        {
            headers.ContentType = contentType;
        }

        var json = Events.Parse(shape.WriteResponse(new LambdaHttpResponse(200, headers, body)));

        Assert.True(json.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(body, Convert.FromBase64String(json.GetProperty("body").GetString()!));
    }

    [Fact]
    public void Non_http_events_match_no_shape()
    {
        var sqs = new JsonObject { ["Records"] = new JsonArray(new JsonObject { ["eventSource"] = "aws:sqs", ["body"] = "hi" }) };

        Assert.Null(HttpEventShapes.Find(sqs.Parse()));
        Assert.Null(HttpEventShapes.Find(JsonValue.Create(42).Parse()));
        Assert.IsType<HttpApiV2EventShape>(HttpEventShapes.Find(Events.HttpApiV2("GET", "/").Parse()));
        Assert.IsType<RestApiV1EventShape>(HttpEventShapes.Find(Events.RestApiV1("GET", "/").Parse()));
    }
}

public class RestApiV1MarshallingTests
{
    private readonly RestApiV1EventShape shape = new();

    [Fact]
    public void Stage_from_the_request_context_path_becomes_the_path_base()
    {
        var request = shape.ReadRequest(Events.RestApiV1("GET", "/users").Parse());

        Assert.Equal("/prod", request.PathBase.Value);
        Assert.Equal("/users", request.Path.Value);
        Assert.Equal(IPAddress.Parse("198.51.100.9"), request.RemoteIpAddress);
    }

    [Fact]
    public void Multi_value_headers_and_query_parameters_are_kept_and_reencoded()
    {
        var e = Events.RestApiV1("GET", "/users");
        e["multiValueHeaders"]!["Accept"] = new JsonArray("text/html", "application/json");
        e["multiValueQueryStringParameters"] = new JsonObject { ["q"] = new JsonArray("a b&c"), ["tag"] = new JsonArray("x", "y") };

        var request = shape.ReadRequest(e.Parse());

        Assert.Equal(new[] { "text/html", "application/json" }, Strings(request.Headers.Accept));
        Assert.Equal("?q=a%20b%26c&tag=x&tag=y", request.QueryString);
        var query = QueryHelpers.ParseQuery(request.QueryString);
        Assert.Equal("a b&c", query["q"].ToString());
    }

    [Fact]
    public void Binary_body_and_response_with_multi_value_headers()
    {
        var body = new byte[] { 1, 2, 3, 0, 255 };
        var e = Events.RestApiV1("POST", "/user");
        e["body"] = Convert.ToBase64String(body);
        e["isBase64Encoded"] = true;

        Assert.Equal(body, shape.ReadRequest(e.Parse()).Body);

        IHeaderDictionary headers = new HeaderDictionary();
        headers.ContentType = "image/png";
        headers.Append("Set-Cookie", "a=1");
        headers.Append("Set-Cookie", "b=2");
        var json = Events.Parse(shape.WriteResponse(new LambdaHttpResponse(201, headers, body)));

        Assert.Equal(201, json.GetProperty("statusCode").GetInt32());
        Assert.Equal(new[] { "a=1", "b=2" }, Strings(json.GetProperty("multiValueHeaders").GetProperty("Set-Cookie").EnumerateArray().Select(v => v.GetString())));
        Assert.True(json.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(body, Convert.FromBase64String(json.GetProperty("body").GetString()!));
    }

    [Fact]
    public void Response_without_content_type_says_so_with_a_null_so_api_gateway_adds_none()
    {
        IHeaderDictionary headers = new HeaderDictionary { ["Location"] = "/users" };

        var json = Events.Parse(shape.WriteResponse(new LambdaHttpResponse(302, headers, ReadOnlyMemory<byte>.Empty)));

        var contentType = json.GetProperty("multiValueHeaders").GetProperty("Content-Type");
        Assert.Equal(JsonValueKind.Null, Assert.Single(contentType.EnumerateArray()).ValueKind);
        Assert.False(json.GetProperty("headers").TryGetProperty("Content-Type", out _));
        Assert.Equal("/users", json.GetProperty("headers").GetProperty("Location").GetString());
        Assert.Equal(string.Empty, json.GetProperty("body").GetString());
    }

    [Fact]
    public void Response_with_a_content_type_keeps_it_and_text_stays_text()
    {
        IHeaderDictionary headers = new HeaderDictionary();
        headers.ContentType = "application/json; charset=utf-8";

        var json = Events.Parse(shape.WriteResponse(new LambdaHttpResponse(200, headers, Encoding.UTF8.GetBytes("[]"))));

        Assert.Equal("application/json; charset=utf-8", json.GetProperty("headers").GetProperty("Content-Type").GetString());
        Assert.Equal(["application/json; charset=utf-8"], Strings(json.GetProperty("multiValueHeaders").GetProperty("Content-Type").EnumerateArray().Select(v => v.GetString())));
        Assert.False(json.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal("[]", json.GetProperty("body").GetString());
    }

    [Fact]
    public void Alb_events_are_not_taken_for_payload_1_0()
    {
        var e = Events.RestApiV1("GET", "/users");
        e["requestContext"] = new JsonObject { ["elb"] = new JsonObject { ["targetGroupArn"] = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/y" } };

        Assert.False(shape.Matches(e.Parse()));
        Assert.Null(HttpEventShapes.Find(e.Parse()));
    }
}
