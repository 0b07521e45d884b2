using System.Text.Json;
using Users.LambdaEmulator;

namespace Users.Lambda.Tests;

/// <summary>
/// Events/*.json: API Gateway events written from the documented shapes (REST API payload 1.0, HTTP API payload 2.0,
/// authorizer contexts, mutual TLS, missing sections), each run through the Lambda server into an app that echoes what
/// reached ASP.NET Core. Events/*.expected.json says what must have: every field it names is compared, the rest is
/// free; <c>error</c> instead names the errorType the invocation must fail with.
/// </summary>
[Collection(LambdaRuntimeGroup.Name)]
public sealed class EventFileTests(LambdaAppFixture fixture) : IClassFixture<LambdaAppFixture>
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Events");

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.expected.json").Order(StringComparer.Ordinal))
        {
            cases.Add(Path.GetFileName(file)[..^".expected.json".Length]);
        }

        return cases;
    }

    [Fact]
    public void Every_event_file_has_its_expectations_and_every_shape_is_covered()
    {
        var events = Directory.GetFiles(Folder, "*.json").Where(f => !f.EndsWith(".expected.json", StringComparison.Ordinal)).ToArray();
        Assert.All(events, e => Assert.True(File.Exists(e[..^".json".Length] + ".expected.json"), $"{e} has no .expected.json"));
        Assert.Contains(events, e => Path.GetFileName(e).StartsWith("rest-", StringComparison.Ordinal));
        Assert.Contains(events, e => Path.GetFileName(e).StartsWith("http-", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Event_reaches_aspnetcore_as_expected(string name)
    {
        var payload = await File.ReadAllBytesAsync(Path.Combine(Folder, name + ".json"));
        using var expected = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(Folder, name + ".expected.json")));

        var result = await fixture.InvokeAsync(payload);

        if (expected.RootElement.TryGetProperty("error", out var error))
        {
            Assert.Equal(InvocationStatus.FunctionError, result.Status);
            Assert.Equal(error.GetString(), result.ErrorType);
            return;
        }

        Assert.Equal(InvocationStatus.Success, result.Status);
        var response = Events.Parse(result.Body);
        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        using var seen = JsonDocument.Parse(response.GetProperty("body").GetString()!);
        foreach (var field in expected.RootElement.EnumerateObject().Where(f => !f.Name.StartsWith('_')))
        {
            AssertContains(field.Value, seen.RootElement.GetProperty(field.Name), field.Name);
        }
    }

    /// <summary>Objects: every expected member is there with a matching value (extra members allowed); anything else: equal.</summary>
    private static void AssertContains(JsonElement expected, JsonElement actual, string where)
    {
        if (expected.ValueKind == JsonValueKind.Object && actual.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in expected.EnumerateObject())
            {
                Assert.True(TryGet(actual, member.Name, out var value), $"{where}.{member.Name} is missing; seen: {actual.GetRawText()}");
                AssertContains(member.Value, value, where + "." + member.Name);
            }

            return;
        }

        Assert.True(
            JsonElement.DeepEquals(expected, actual),
            $"{where}: expected {expected.GetRawText()}, seen {actual.GetRawText()}");
    }

    /// <summary>Header names are case-insensitive; everything else is compared exactly.</summary>
    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var member in obj.EnumerateObject())
        {
            if (member.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = member.Value;
                return true;
            }
        }

        return false;
    }
}
