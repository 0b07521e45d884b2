using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Users.Lambda.Hosting.Marshalling;

/// <summary>API Gateway HTTP API, payload format 2.0 (also Lambda function URLs).</summary>
internal sealed class HttpApiV2EventShape : IHttpEventShape
{
    public string Name => "HTTP API payload 2.0";

    public bool Matches(JsonElement root) =>
        EventJson.String(root, "version") == "2.0"
        && (EventJson.Property(root, "requestContext") is { } context && EventJson.Property(context, "http") is { ValueKind: JsonValueKind.Object }
            || EventJson.String(root, "rawPath") is not null);

    public LambdaHttpRequest ReadRequest(JsonElement root)
    {
        // requestContext (and its http) may be missing from hand-written or emulated events: every part is optional.
        var context = EventJson.Property(root, "requestContext") ?? default;
        var http = EventJson.Property(context, "http") ?? default;

        var rawPath = EventJson.String(root, "rawPath") ?? EventJson.String(http, "path") ?? "/";
        if (!rawPath.StartsWith('/'))
        {
            rawPath = "/" + rawPath;
        }

        var rawQuery = EventJson.String(root, "rawQueryString") ?? string.Empty;
        var query = rawQuery.Length == 0 ? string.Empty : "?" + rawQuery;

        // A named stage (not $default) prefixes the path: it becomes the PathBase, as a reverse proxy's prefix would.
        var pathBase = PathString.Empty;
        var path = rawPath;
        var stage = EventJson.String(context, "stage");
        if (!string.IsNullOrEmpty(stage) && stage != "$default")
        {
            var prefix = "/" + stage;
            if (rawPath.Equals(prefix, StringComparison.Ordinal) || rawPath.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                pathBase = PathString.FromUriComponent(prefix);
                path = rawPath[prefix.Length..];
            }
        }

        var request = new LambdaHttpRequest
        {
            Method = (EventJson.String(http, "method") ?? "GET").ToUpperInvariant(),
            Protocol = EventJson.String(http, "protocol") ?? "HTTP/1.1",
            PathBase = pathBase,
            // Decoded as Kestrel decodes a request line: %2F stays encoded.
            Path = new PathString(EventJson.DecodePath(path.Length == 0 ? "/" : path)),
            QueryString = query,
            RawTarget = rawPath + query,
            Body = EventJson.Body(root),
            RemoteIpAddress = EventJson.SourceIp(EventJson.String(http, "sourceIp")),
            DomainName = EventJson.String(context, "domainName"),
            User = CallerIdentity.FromHttpApiAuthorizer(context),
            ClientCertificate = CallerIdentity.ClientCertificate(context, "authentication"),
        };

        // Header names arrive in lower case; repeated headers arrive comma-joined in one value.
        if (EventJson.Property(root, "headers") is { ValueKind: JsonValueKind.Object } headers)
        {
            foreach (var header in headers.EnumerateObject())
            {
                if (header.Value.ValueKind == JsonValueKind.String)
                {
                    request.Headers.Append(header.Name, header.Value.GetString());
                }
            }
        }

        // Cookies travel apart, in cookies[]; the pipeline expects one Cookie header.
        if (EventJson.Property(root, "cookies") is { ValueKind: JsonValueKind.Array } cookies)
        {
            var values = cookies.EnumerateArray()
                .Where(c => c.ValueKind == JsonValueKind.String)
                .Select(c => c.GetString())
                .Where(c => !string.IsNullOrEmpty(c))
                .ToArray();
            if (values.Length > 0)
            {
                request.Headers[HeaderNames.Cookie] = string.Join("; ", values);
            }
        }

        RequestHeaders.Normalise(request);
        return request;
    }

    public byte[] WriteResponse(LambdaHttpResponse response) => EventJson.Write(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("statusCode", response.StatusCode);
        json.WriteStartObject("headers");
        foreach (var (name, values) in response.Headers)
        {
            if (!name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase) && !EventJson.IsHopByHop(name))
            {
                // Names as the app wrote them (HTTP API accepts any case; some clients and emulators match case-sensitively).
                json.WriteString(name, string.Join(",", values.Where(v => v is not null)));
            }
        }

        json.WriteEndObject();
        json.WriteStartArray("cookies");
        foreach (var cookie in response.Headers.SetCookie)
        {
            if (!string.IsNullOrEmpty(cookie))
            {
                json.WriteStringValue(cookie);
            }
        }

        json.WriteEndArray();
        EventJson.WriteBody(json, response);
        json.WriteEndObject();
    });
}
