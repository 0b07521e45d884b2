using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace Users.Lambda.Hosting.Marshalling;

/// <summary>Small helpers shared by the event shapes.</summary>
internal static class EventJson
{
    public static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static string? String(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static string? String(JsonElement element, string name, string nested) =>
        Property(element, name) is { } inner ? String(inner, nested) : null;

    public static bool Boolean(JsonElement element, string name) =>
        Property(element, name) is { } value && value.ValueKind == JsonValueKind.True;

    public static byte[] Body(JsonElement root)
    {
        var body = String(root, "body");
        if (string.IsNullOrEmpty(body))
        {
            return [];
        }

        return Boolean(root, "isBase64Encoded") ? Convert.FromBase64String(body) : Encoding.UTF8.GetBytes(body);
    }

    /// <summary>
    /// A percent-encoded path decoded as Kestrel decodes a request target: every escape but <c>%2F</c>, which stays
    /// encoded so that an encoded slash is not a segment separator; <c>+</c> is a plus sign in a path.
    /// </summary>
    public static string DecodePath(string path)
    {
        if (!path.Contains('%', StringComparison.Ordinal))
        {
            return path;
        }

        var builder = new StringBuilder(path.Length);
        var start = 0;
        while (start <= path.Length)
        {
            var slash = path.IndexOf("%2F", start, StringComparison.OrdinalIgnoreCase);
            var end = slash < 0 ? path.Length : slash;
            builder.Append(Uri.UnescapeDataString(path[start..end]));
            if (slash < 0)
            {
                break;
            }

            builder.Append("%2F");
            start = slash + 3;
        }

        return builder.ToString();
    }

    /// <summary>API Gateway gives "1.2.3.4" (sometimes with a "/32" suffix).</summary>
    public static IPAddress? SourceIp(string? sourceIp)
    {
        if (string.IsNullOrEmpty(sourceIp))
        {
            return null;
        }

        var slash = sourceIp.IndexOf('/', StringComparison.Ordinal);
        return IPAddress.TryParse(slash >= 0 ? sourceIp[..slash] : sourceIp, out var ip) ? ip : null;
    }

    /// <summary>Text bodies travel as they are; anything else is base64-encoded.</summary>
    public static bool IsTextContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !media.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            && !media.Charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var type = media.MediaType.Value ?? string.Empty;
        return type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/yaml", StringComparison.OrdinalIgnoreCase);
    }

    public static void WriteBody(Utf8JsonWriter json, LambdaHttpResponse response)
    {
        if (response.Body.IsEmpty)
        {
            json.WriteString("body", string.Empty);
            json.WriteBoolean("isBase64Encoded", false);
        }
        else if (IsTextContentType(response.Headers.ContentType))
        {
            json.WriteString("body", Encoding.UTF8.GetString(response.Body.Span));
            json.WriteBoolean("isBase64Encoded", false);
        }
        else
        {
            json.WriteBase64String("body", response.Body.Span);
            json.WriteBoolean("isBase64Encoded", true);
        }
    }

    /// <summary>The headers API Gateway computes itself, which a response must not carry.</summary>
    public static bool IsHopByHop(string name) =>
        name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.TransferEncoding, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase);

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return buffer.ToArray();
    }
}
