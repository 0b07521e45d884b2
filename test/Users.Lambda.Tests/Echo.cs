using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Users.Lambda.Tests;

/// <summary>An endpoint that answers with what ASP.NET Core sees of the request, as JSON.</summary>
internal static class Echo
{
    public static async Task Describe(HttpContext http)
    {
        var request = http.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var certificate = await http.Connection.GetClientCertificateAsync();

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("method", request.Method);
            json.WriteString("scheme", request.Scheme);
            json.WriteString("host", request.Host.Value);
            json.WriteString("pathBase", request.PathBase.Value);
            json.WriteString("path", request.Path.Value);
            json.WriteString("queryString", request.QueryString.Value);
            json.WriteString("rawTarget", http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget);
            json.WriteStartObject("query");
            foreach (var (name, values) in request.Query)
            {
                WriteValues(json, name, values);
            }

            json.WriteEndObject();
            json.WriteStartObject("headers");
            foreach (var (name, values) in request.Headers)
            {
                WriteValues(json, name, values);
            }

            json.WriteEndObject();
            json.WriteStartObject("cookies");
            foreach (var (name, value) in request.Cookies)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            if (request.ContentLength is { } length)
            {
                json.WriteNumber("contentLength", length);
            }
            else
            {
                json.WriteNull("contentLength");
            }

            json.WriteString("bodyBase64", Convert.ToBase64String(body.ToArray()));
            json.WriteString("remoteIp", http.Connection.RemoteIpAddress?.ToString());
            json.WriteStartObject("user");
            json.WriteBoolean("isAuthenticated", http.User.Identity?.IsAuthenticated ?? false);
            json.WriteString("authenticationType", http.User.Identity?.AuthenticationType);
            json.WriteString("name", http.User.Identity?.Name);
            json.WriteStartObject("claims");
            foreach (var group in http.User.Claims.GroupBy(c => c.Type, StringComparer.Ordinal))
            {
                WriteValues(json, group.Key, group.Select(c => c.Value));
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteString("clientCertificate", certificate?.Subject);
            json.WriteEndObject();
        }

        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(buffer.ToArray());
    }

    private static void WriteValues(Utf8JsonWriter json, string name, IEnumerable<string?> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
