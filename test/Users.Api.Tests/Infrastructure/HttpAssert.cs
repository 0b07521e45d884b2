using System.Net;
using System.Text.Json;

namespace Users.Api.Tests.Infrastructure;

/// <summary>Assertions on API responses: status, RFC 9457 problem bodies, the user shape.</summary>
public static class HttpAssert
{
    public static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.NotNull(response.Content.Headers.ContentType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>An RFC 9457 problem with type, title, status and detail, and nothing a client must not see.</summary>
    public static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await Json(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        foreach (var member in new[] { "type", "title", "detail" })
        {
            Assert.Equal(JsonValueKind.String, problem.GetProperty(member).ValueKind);
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty(member).GetString()), $"'{member}' is empty");
        }

        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        var text = problem.GetRawText();
        foreach (var leak in new[] { "Exception", "Amazon", "   at ", "StackTrace", "RequestId", "x-amz" })
        {
            Assert.DoesNotContain(leak, text, StringComparison.OrdinalIgnoreCase);
        }

        return problem;
    }

    /// <summary>A 400 whose <c>errors</c> map names the field.</summary>
    public static async Task<JsonElement> FieldError(HttpResponseMessage response, string field)
    {
        var problem = await Problem(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for '{field}': {errors}");
        Assert.True(messages.GetArrayLength() > 0);
        return problem;
    }

    /// <summary>Exactly the keys avatar_url, email and name, all strings.</summary>
    public static void UserShape(JsonElement user)
    {
        var keys = user.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["avatar_url", "email", "name"], keys);
        Assert.All(user.EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
    }
}
