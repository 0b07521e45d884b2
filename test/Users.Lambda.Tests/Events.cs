using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Users.Lambda.Tests;

/// <summary>Builds API Gateway events as the service sends them.</summary>
internal static class Events
{
    public static JsonObject HttpApiV2(string method, string rawPath, string rawQuery = "", string stage = "$default")
    {
        return new JsonObject
        {
            ["version"] = "2.0",
            ["routeKey"] = "$default",
            ["rawPath"] = rawPath,
            ["rawQueryString"] = rawQuery,
            ["headers"] = new JsonObject { ["host"] = "abc.execute-api.us-east-1.amazonaws.com", ["x-forwarded-proto"] = "https" },
            ["requestContext"] = new JsonObject
            {
                ["accountId"] = "123456789012",
                ["apiId"] = "abc",
                ["http"] = new JsonObject
                {
                    ["method"] = method,
                    ["path"] = rawPath,
                    ["protocol"] = "HTTP/1.1",
                    ["sourceIp"] = "203.0.113.7",
                    ["userAgent"] = "tests",
                },
                ["requestId"] = "req",
                ["routeKey"] = "$default",
                ["stage"] = stage,
                ["timeEpoch"] = 1_700_000_000_000,
            },
            ["isBase64Encoded"] = false,
        };
    }

    public static JsonObject WithBody(this JsonObject e, byte[] body, string contentType, bool base64 = true)
    {
        e["headers"]!["content-type"] = contentType;
        e["body"] = base64 ? Convert.ToBase64String(body) : Encoding.UTF8.GetString(body);
        e["isBase64Encoded"] = base64;
        return e;
    }

    public static JsonObject RestApiV1(string method, string path, string stage = "prod")
    {
        return new JsonObject
        {
            ["resource"] = "/{proxy+}",
            ["path"] = path,
            ["httpMethod"] = method,
            ["headers"] = new JsonObject { ["Host"] = "abc.execute-api.us-east-1.amazonaws.com" },
            ["multiValueHeaders"] = new JsonObject { ["Host"] = new JsonArray("abc.execute-api.us-east-1.amazonaws.com") },
            ["queryStringParameters"] = null,
            ["multiValueQueryStringParameters"] = null,
            ["requestContext"] = new JsonObject
            {
                ["path"] = "/" + stage + path,
                ["stage"] = stage,
                ["httpMethod"] = method,
                ["identity"] = new JsonObject { ["sourceIp"] = "198.51.100.9" },
            },
            ["body"] = null,
            ["isBase64Encoded"] = false,
        };
    }

    public static byte[] Bytes(this JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    public static JsonElement Parse(this JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement;

    public static JsonElement Parse(byte[] json) => JsonDocument.Parse(json).RootElement;
}
