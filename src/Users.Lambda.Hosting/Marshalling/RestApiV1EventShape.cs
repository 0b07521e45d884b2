using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Users.Lambda.Hosting.Marshalling;

/// <summary>API Gateway REST API proxy integration (payload format 1.0; HTTP APIs can send it too).</summary>
internal sealed class RestApiV1EventShape : IHttpEventShape
{
    public string Name => "REST API payload 1.0";

    public bool Matches(JsonElement root) =>
        EventJson.String(root, "httpMethod") is not null
        && EventJson.Property(root, "requestContext") is { ValueKind: JsonValueKind.Object };

    public LambdaHttpRequest ReadRequest(JsonElement root)
    {
        var context = EventJson.Property(root, "requestContext")!.Value;
        var path = EventJson.String(root, "path") ?? "/";
        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        // requestContext.path is what the client asked for, stage included ("/prod/users" for path "/users").
        var pathBase = PathString.Empty;
        var fullPath = EventJson.String(context, "path");
        if (fullPath is not null && fullPath.Length > path.Length && fullPath.EndsWith(path, StringComparison.Ordinal))
        {
            pathBase = new PathString(fullPath[..^path.Length].TrimEnd('/'));
        }
        else if (fullPath is not null && path == "/" && fullPath.Length > 1)
        {
            pathBase = new PathString(fullPath.TrimEnd('/'));
        }

        var query = BuildQuery(root);
        var escapedPath = new PathString(path).ToUriComponent();
        var request = new LambdaHttpRequest
        {
            Method = (EventJson.String(root, "httpMethod") ?? "GET").ToUpperInvariant(),
            Protocol = EventJson.String(context, "protocol") ?? "HTTP/1.1",
            PathBase = pathBase,
            Path = new PathString(path),
            QueryString = query,
            RawTarget = pathBase.ToUriComponent() + escapedPath + query,
            Body = EventJson.Body(root),
            RemoteIpAddress = EventJson.SourceIp(EventJson.String(context, "identity", "sourceIp")),
        };

        // multiValueHeaders carries every value of a repeated header; headers only the last one.
        if (EventJson.Property(root, "multiValueHeaders") is { ValueKind: JsonValueKind.Object } multi)
        {
            foreach (var header in multi.EnumerateObject())
            {
                if (header.Value.ValueKind == JsonValueKind.Array)
                {
                    request.Headers[header.Name] = new StringValues(header.Value.EnumerateArray()
                        .Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()).ToArray());
                }
            }
        }
        else if (EventJson.Property(root, "headers") is { ValueKind: JsonValueKind.Object } headers)
        {
            foreach (var header in headers.EnumerateObject())
            {
                if (header.Value.ValueKind == JsonValueKind.String)
                {
                    request.Headers[header.Name] = header.Value.GetString();
                }
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
            if (!EventJson.IsHopByHop(name) && values.Count > 0)
            {
                json.WriteString(name, values[values.Count - 1]);
            }
        }

        json.WriteEndObject();
        json.WriteStartObject("multiValueHeaders");
        foreach (var (name, values) in response.Headers)
        {
            if (!EventJson.IsHopByHop(name))
            {
                json.WriteStartArray(name);
                foreach (var value in values)
                {
                    json.WriteStringValue(value);
                }

                json.WriteEndArray();
            }
        }

        json.WriteEndObject();
        EventJson.WriteBody(json, response);
        json.WriteEndObject();
    });

    /// <summary>Payload 1.0 only has the decoded parameters: encode them again.</summary>
    private static string BuildQuery(JsonElement root)
    {
        var pairs = new List<KeyValuePair<string, string?>>();
        if (EventJson.Property(root, "multiValueQueryStringParameters") is { ValueKind: JsonValueKind.Object } multi)
        {
            foreach (var parameter in multi.EnumerateObject())
            {
                if (parameter.Value.ValueKind == JsonValueKind.Array)
                {
                    pairs.AddRange(parameter.Value.EnumerateArray().Select(v => new KeyValuePair<string, string?>(parameter.Name, v.GetString())));
                }
            }
        }
        else if (EventJson.Property(root, "queryStringParameters") is { ValueKind: JsonValueKind.Object } single)
        {
            pairs.AddRange(single.EnumerateObject().Select(p => new KeyValuePair<string, string?>(p.Name, p.Value.GetString())));
        }

        if (pairs.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        foreach (var (name, value) in pairs)
        {
            builder.Append(builder.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name));
            if (value is not null)
            {
                builder.Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        return builder.ToString();
    }
}
