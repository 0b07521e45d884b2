using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Users.LambdaEmulator;

/// <summary>
/// What API Gateway REST API (Lambda proxy integration, payload format 1.0) does in front of a function. A request
/// under <c>/{stage}/...</c> is one to the execute-api URL (the stage is in requestContext.path, not in path); any
/// other is one to a custom domain whose base path mapping is the root. The resource is <c>/{proxy+}</c> (or
/// <c>/</c>). Bodies follow the API's binary media types: a request whose Content-Type matches one is base64-encoded,
/// any other is passed as UTF-8 text; a base64 response is decoded only when its Content-Type or the request's
/// Accept matches one, otherwise the client gets the base64 text (as API Gateway does).
/// </summary>
public static class RestApiFront
{
    /// <summary>The binary media types of template-rest.yaml.</summary>
    public static IReadOnlyList<string> DefaultBinaryMediaTypes { get; } = ["multipart/form-data", "*/*"];

    /// <summary>Builds the payload 1.0 event of a request, as a REST API proxy integration sends it.</summary>
    public static byte[] BuildEvent(HttpContext http, byte[] body, string stage, IReadOnlyList<string> binaryMediaTypes)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(binaryMediaTypes);
        var request = http.Request;
        var rawTarget = http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } target
            ? target
            : request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        var queryAt = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var clientPath = queryAt >= 0 ? rawTarget[..queryAt] : rawTarget;

        // execute-api URL: /{stage}/path. Custom domain (root base path mapping): the path as it is.
        var stagePrefix = "/" + stage;
        var path = clientPath;
        if (clientPath.Equals(stagePrefix, StringComparison.Ordinal) || clientPath.StartsWith(stagePrefix + "/", StringComparison.Ordinal))
        {
            path = clientPath[stagePrefix.Length..];
            path = path.Length == 0 ? "/" : path;
        }

        var resource = path == "/" ? "/" : "/{proxy+}";
        var now = DateTimeOffset.UtcNow;
        var requestId = Guid.NewGuid().ToString();

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("resource", resource);
            json.WriteString("path", path);
            json.WriteString("httpMethod", request.Method);

            // headers keeps the last value of a repeated header, multiValueHeaders every one; names as sent.
            json.WriteStartObject("headers");
            foreach (var (name, values) in request.Headers)
            {
                json.WriteString(name, values.Count > 0 ? values[values.Count - 1] : string.Empty);
            }

            json.WriteString("X-Forwarded-Proto", request.Scheme);
            json.WriteEndObject();
            json.WriteStartObject("multiValueHeaders");
            foreach (var (name, values) in request.Headers)
            {
                WriteArray(json, name, values);
            }

            WriteArray(json, "X-Forwarded-Proto", [request.Scheme]);
            json.WriteEndObject();

            // Query parameters arrive decoded, never as the raw query string.
            if (request.Query.Count > 0)
            {
                json.WriteStartObject("queryStringParameters");
                foreach (var (name, values) in request.Query)
                {
                    json.WriteString(name, values.Count > 0 ? values[values.Count - 1] : string.Empty);
                }

                json.WriteEndObject();
                json.WriteStartObject("multiValueQueryStringParameters");
                foreach (var (name, values) in request.Query)
                {
                    WriteArray(json, name, values);
                }

                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("queryStringParameters");
                json.WriteNull("multiValueQueryStringParameters");
            }

            if (resource == "/{proxy+}")
            {
                json.WriteStartObject("pathParameters");
                json.WriteString("proxy", path[1..]);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("pathParameters");
            }

            json.WriteNull("stageVariables");

            json.WriteStartObject("requestContext");
            json.WriteString("accountId", "000000000000");
            json.WriteString("apiId", "local");
            json.WriteString("domainName", request.Host.Host);
            json.WriteString("domainPrefix", "local");
            json.WriteString("extendedRequestId", requestId);
            json.WriteString("httpMethod", request.Method);
            json.WriteStartObject("identity");
            json.WriteString("sourceIp", http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1");
            json.WriteString("userAgent", request.Headers.UserAgent.ToString());
            json.WriteNull("userArn");
            json.WriteEndObject();
            json.WriteString("path", clientPath);
            json.WriteString("protocol", request.Protocol);
            json.WriteString("requestId", requestId);
            json.WriteString("requestTime", now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture));
            json.WriteNumber("requestTimeEpoch", now.ToUnixTimeMilliseconds());
            json.WriteString("resourceId", "local");
            json.WriteString("resourcePath", resource);
            json.WriteString("stage", stage);
            json.WriteEndObject();

            if (body.Length == 0)
            {
                json.WriteNull("body");
                json.WriteBoolean("isBase64Encoded", false);
            }
            else if (Matches(binaryMediaTypes, request.ContentType))
            {
                json.WriteBase64String("body", body);
                json.WriteBoolean("isBase64Encoded", true);
            }
            else
            {
                // Not a binary media type: API Gateway passes the body as text (a binary body is damaged, as on AWS).
                json.WriteString("body", Encoding.UTF8.GetString(body));
                json.WriteBoolean("isBase64Encoded", false);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the outcome of an invocation as a REST API would answer the client.</summary>
    public static async Task WriteResponseAsync(HttpContext http, InvocationResult result, IReadOnlyList<string> binaryMediaTypes)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(binaryMediaTypes);
        switch (result.Status)
        {
            case InvocationStatus.Success:
                break;
            case InvocationStatus.Timeout:
                await WriteGatewayErrorAsync(http, StatusCodes.Status504GatewayTimeout, "Endpoint request timed out");
                return;
            default:
                await WriteGatewayErrorAsync(http, StatusCodes.Status502BadGateway, "Internal server error");
                return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(result.Body);
        }
        catch (JsonException)
        {
            await WriteGatewayErrorAsync(http, StatusCodes.Status502BadGateway, "Internal server error");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            // A proxy integration must answer with statusCode: anything else is a "Malformed Lambda proxy response".
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("statusCode", out var status) || !status.TryGetInt32(out var code))
            {
                await WriteGatewayErrorAsync(http, StatusCodes.Status502BadGateway, "Internal server error");
                return;
            }

            http.Response.StatusCode = code;
            var contentTypeNamed = false;
            if (root.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in headers.EnumerateObject())
                {
                    contentTypeNamed |= header.Name.Equals(HeaderNames.ContentType, StringComparison.OrdinalIgnoreCase);
                    if (header.Value.ValueKind == JsonValueKind.String)
                    {
                        http.Response.Headers[header.Name] = header.Value.GetString();
                    }
                }
            }

            // multiValueHeaders wins over headers for the names it has; a null value means "no such header".
            if (root.TryGetProperty("multiValueHeaders", out var multi) && multi.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in multi.EnumerateObject())
                {
                    contentTypeNamed |= header.Name.Equals(HeaderNames.ContentType, StringComparison.OrdinalIgnoreCase);
                    if (header.Value.ValueKind == JsonValueKind.Array)
                    {
                        var values = header.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()).ToArray();
                        if (values.Length > 0)
                        {
                            http.Response.Headers[header.Name] = values;
                        }
                        else
                        {
                            http.Response.Headers.Remove(header.Name);
                        }
                    }
                }
            }

            // A response that does not name Content-Type at all gets API Gateway's default.
            if (!contentTypeNamed)
            {
                http.Response.ContentType = "application/json";
            }

            var body = root.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() ?? string.Empty : string.Empty;
            var base64 = root.TryGetProperty("isBase64Encoded", out var e) && e.ValueKind == JsonValueKind.True;
            var binary = base64 && (Matches(binaryMediaTypes, http.Response.ContentType) || Matches(binaryMediaTypes, FirstAccept(http.Request)));
            var bytes = binary ? Convert.FromBase64String(body) : Encoding.UTF8.GetBytes(body);
            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes);
        }
    }

    /// <summary>Whether a media type is one of the binary media types (<c>*/*</c> and <c>type/*</c> are wildcards).</summary>
    public static bool Matches(IReadOnlyList<string> binaryMediaTypes, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(binaryMediaTypes);
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType.Value is not { } type)
        {
            return false;
        }

        foreach (var binary in binaryMediaTypes)
        {
            if (binary == "*/*"
                || binary.Equals(type, StringComparison.OrdinalIgnoreCase)
                || (binary.EndsWith("/*", StringComparison.Ordinal) && type.StartsWith(binary[..^1], StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private static string? FirstAccept(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        return accept.Length == 0 ? null : accept.Split(',')[0].Trim();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<string?> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static async Task WriteGatewayErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync($"{{\"message\":\"{message}\"}}");
    }
}
