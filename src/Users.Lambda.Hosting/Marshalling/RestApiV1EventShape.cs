using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Users.Lambda.Hosting.Marshalling;

/// <summary>API Gateway REST API proxy integration (payload format 1.0; HTTP APIs can send it too).</summary>
internal sealed class RestApiV1EventShape : IHttpEventShape
{
    public string Name => "REST API payload 1.0";

    /// <summary>
    /// httpMethod is what makes a payload 1.0 event; requestContext is optional (AWS's emulator leaves it out).
    /// Application Load Balancer events look alike but encode their query string differently: they are not claimed.
    /// </summary>
    public bool Matches(JsonElement root) =>
        EventJson.String(root, "httpMethod") is not null
        && EventJson.Property(EventJson.Property(root, "requestContext") ?? default, "elb") is null;

    public LambdaHttpRequest ReadRequest(JsonElement root)
    {
        var context = EventJson.Property(root, "requestContext") ?? default;
        var eventPath = Rooted(EventJson.String(root, "path") ?? EventJson.String(context, "path") ?? "/");

        // The path the application routes on: the matched resource with its path parameters put back ("/{proxy+}" with
        // proxy "users" is "/users"), so a custom domain's base path mapping ("/v1/users" in path) is not routed as
        // part of the path. Without a resource, or with one left unfilled, the event's path.
        var routed = Rooted(ResourcePath(root) ?? eventPath);

        // requestContext.path is what the client asked for: stage ("/prod/users") or base path ("/v1/users") included.
        // What it has before the routed path is the PathBase, as a reverse proxy's prefix would be.
        var clientPath = EventJson.String(context, "path");
        var decodedRouted = EventJson.DecodePath(routed);
        var pathBase = PathBaseOf(clientPath is null ? null : EventJson.DecodePath(clientPath), decodedRouted);

        var query = BuildQuery(root);
        var request = new LambdaHttpRequest
        {
            Method = (EventJson.String(root, "httpMethod") ?? "GET").ToUpperInvariant(),
            Protocol = EventJson.String(context, "protocol") ?? "HTTP/1.1",
            PathBase = pathBase,
            Path = new PathString(decodedRouted),
            QueryString = query,
            RawTarget = (clientPath is null ? pathBase.ToUriComponent() + eventPath : Rooted(clientPath)) + query,
            Body = EventJson.Body(root),
            RemoteIpAddress = EventJson.SourceIp(EventJson.String(context, "identity", "sourceIp")),
            DomainName = EventJson.String(context, "domainName"),
            User = CallerIdentity.FromRestApiAuthorizer(context),
            ClientCertificate = CallerIdentity.ClientCertificate(context, "identity"),
        };

        // multiValueHeaders carries every value of a repeated header, headers only the last one: a name found in
        // multiValueHeaders takes its values from there, any other from headers.
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

        if (EventJson.Property(root, "headers") is { ValueKind: JsonValueKind.Object } headers)
        {
            foreach (var header in headers.EnumerateObject())
            {
                if (header.Value.ValueKind == JsonValueKind.String && !request.Headers.ContainsKey(header.Name))
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

        // A REST API gives a response without Content-Type "application/json" (a 204 or a redirect would claim a JSON
        // body): an explicit null tells it the response has none.
        if (!response.Headers.ContainsKey(HeaderNames.ContentType))
        {
            json.WriteStartArray(HeaderNames.ContentType);
            json.WriteNullValue();
            json.WriteEndArray();
        }

        json.WriteEndObject();
        EventJson.WriteBody(json, response);
        json.WriteEndObject();
    });

    private static string Rooted(string path) => path.StartsWith('/') ? path : "/" + path;

    /// <summary>The resource template with its path parameters in place; null when there is none or one is left unfilled.</summary>
    private static string? ResourcePath(JsonElement root)
    {
        var resource = EventJson.String(root, "resource");
        if (string.IsNullOrEmpty(resource))
        {
            return null;
        }

        if (EventJson.Property(root, "pathParameters") is { ValueKind: JsonValueKind.Object } parameters)
        {
            foreach (var parameter in parameters.EnumerateObject())
            {
                if (parameter.Value.ValueKind == JsonValueKind.String)
                {
                    var value = parameter.Value.GetString();
                    resource = resource.Replace("{" + parameter.Name + "+}", value, StringComparison.Ordinal)
                        .Replace("{" + parameter.Name + "}", value, StringComparison.Ordinal);
                }
            }
        }

        return resource.Contains('{', StringComparison.Ordinal) ? null : resource;
    }

    /// <summary>The prefix of the client's path before the routed path ("/prod" of "/prod/users" for "/users"), or empty.</summary>
    private static PathString PathBaseOf(string? clientPath, string routed)
    {
        if (string.IsNullOrEmpty(clientPath))
        {
            return PathString.Empty;
        }

        clientPath = Rooted(clientPath);
        string prefix;
        if (routed == "/")
        {
            prefix = clientPath;
        }
        else if (clientPath.EndsWith(routed, StringComparison.Ordinal))
        {
            prefix = clientPath[..^routed.Length];
        }
        else if (clientPath.EndsWith(routed + "/", StringComparison.Ordinal))
        {
            prefix = clientPath[..^(routed.Length + 1)];
        }
        else
        {
            return PathString.Empty;
        }

        prefix = prefix.TrimEnd('/');
        return prefix.Length == 0 ? PathString.Empty : new PathString(prefix);
    }

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
