using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Users.LambdaEmulator;

/// <summary>
/// What API Gateway (HTTP API, payload format 2.0) does in front of a function: an HTTP request becomes an event,
/// the function's response payload becomes the HTTP response.
/// </summary>
public static class HttpApiFront
{
    /// <summary>Builds the payload 2.0 event of a request, as API Gateway HTTP API sends it.</summary>
    public static byte[] BuildEvent(HttpContext http, byte[] body, string stage = "$default")
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(body);
        var request = http.Request;
        var rawTarget = http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } target
            ? target
            : request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        var queryAt = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryAt >= 0 ? rawTarget[..queryAt] : rawTarget;
        var rawQuery = queryAt >= 0 ? rawTarget[(queryAt + 1)..] : string.Empty;
        var now = DateTimeOffset.UtcNow;
        var requestId = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=');

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "2.0");
            json.WriteString("routeKey", "$default");
            json.WriteString("rawPath", rawPath);
            json.WriteString("rawQueryString", rawQuery);

            var cookies = request.Headers.Cookie.SelectMany(c => (c ?? string.Empty).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();
            if (cookies.Length > 0)
            {
                json.WriteStartArray("cookies");
                foreach (var cookie in cookies)
                {
                    json.WriteStringValue(cookie);
                }

                json.WriteEndArray();
            }

            json.WriteStartObject("headers");
            foreach (var (name, values) in request.Headers)
            {
                if (!name.Equals(HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase))
                {
                    json.WriteString(name.ToLowerInvariant(), string.Join(",", values.Where(v => v is not null)));
                }
            }

            json.WriteString("x-forwarded-proto", request.Scheme);
            json.WriteEndObject();

            if (request.Query.Count > 0)
            {
                json.WriteStartObject("queryStringParameters");
                foreach (var (name, values) in request.Query)
                {
                    json.WriteString(name, string.Join(",", values.Where(v => v is not null)));
                }

                json.WriteEndObject();
            }

            json.WriteStartObject("requestContext");
            json.WriteString("accountId", "000000000000");
            json.WriteString("apiId", "local");
            json.WriteString("domainName", request.Host.Host);
            json.WriteString("domainPrefix", "local");
            json.WriteStartObject("http");
            json.WriteString("method", request.Method);
            json.WriteString("path", rawPath);
            json.WriteString("protocol", request.Protocol);
            json.WriteString("sourceIp", http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1");
            json.WriteString("userAgent", request.Headers.UserAgent.ToString());
            json.WriteEndObject();
            json.WriteString("requestId", requestId);
            json.WriteString("routeKey", "$default");
            json.WriteString("stage", stage);
            json.WriteString("time", now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture));
            json.WriteNumber("timeEpoch", now.ToUnixTimeMilliseconds());
            json.WriteEndObject();

            if (body.Length > 0)
            {
                if (IsText(request.ContentType))
                {
                    json.WriteString("body", Encoding.UTF8.GetString(body));
                    json.WriteBoolean("isBase64Encoded", false);
                }
                else
                {
                    json.WriteBase64String("body", body);
                    json.WriteBoolean("isBase64Encoded", true);
                }
            }
            else
            {
                json.WriteBoolean("isBase64Encoded", false);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the outcome of an invocation as API Gateway would answer the client.</summary>
    public static async Task WriteResponseAsync(HttpContext http, InvocationResult result)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(result);
        switch (result.Status)
        {
            case InvocationStatus.Success:
                break;
            case InvocationStatus.Timeout:
                await WriteGatewayErrorAsync(http, StatusCodes.Status503ServiceUnavailable, "Service Unavailable");
                return;
            default:
                await WriteGatewayErrorAsync(http, StatusCodes.Status500InternalServerError, "Internal Server Error");
                return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(result.Body);
        }
        catch (JsonException)
        {
            await WriteGatewayErrorAsync(http, StatusCodes.Status500InternalServerError, "Internal Server Error");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            // Payload 2.0: a response without statusCode is a JSON body with status 200.
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("statusCode", out var status))
            {
                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Response.ContentType = "application/json";
                await http.Response.Body.WriteAsync(result.Body);
                return;
            }

            http.Response.StatusCode = status.GetInt32();
            if (root.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in headers.EnumerateObject())
                {
                    http.Response.Headers[header.Name] = header.Value.ToString();
                }
            }

            if (root.TryGetProperty("cookies", out var cookies) && cookies.ValueKind == JsonValueKind.Array)
            {
                foreach (var cookie in cookies.EnumerateArray())
                {
                    http.Response.Headers.Append(HeaderNames.SetCookie, cookie.GetString());
                }
            }

            var body = root.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() ?? string.Empty : string.Empty;
            var base64 = root.TryGetProperty("isBase64Encoded", out var e) && e.ValueKind == JsonValueKind.True;
            var bytes = base64 ? Convert.FromBase64String(body) : Encoding.UTF8.GetBytes(body);
            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes);
        }
    }

    private static async Task WriteGatewayErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync($"{{\"message\":\"{message}\"}}");
    }

    private static bool IsText(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var type = media.MediaType.Value ?? string.Empty;
        return type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
    }
}
