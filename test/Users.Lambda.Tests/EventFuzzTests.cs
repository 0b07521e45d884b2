using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Users.LambdaEmulator;

namespace Users.Lambda.Tests;

/// <summary>
/// Fuzzes the Lambda event marshalling through its public surface only (the Runtime API emulator feeding the
/// Lambda server, see <see cref="LambdaAppFixture"/>), so it does not depend on where the marshalling classes live:
/// API Gateway events with any field removed or replaced by any JSON value are either served (never a 500) or
/// refused as an invalid/unsupported event, and the invoke loop keeps serving.
/// </summary>
public sealed class EventFuzzTests(LambdaAppFixture fixture) : IClassFixture<LambdaAppFixture>
{
    private static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 150;

    private static Gen<JsonNode?> AnyJson() => Gen.OneOf(
        Gen.Constant<JsonNode?>(null),
        ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Choose(int.MinValue, int.MaxValue).Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Elements(double.MaxValue, -0.5, 1e300).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Elements("", " ", "GET", "POST", "/", "//x", "/echo?x=1", "%zz", "a=b;c", "203.0.113.7", "not-an-ip", "::1", "2.0", "1.0",
            "multipart/form-data; boundary=x", "\u0000", "é", new string('a', 5000), "=====", "aGVsbG8=")
            .Select(s => (JsonNode?)JsonValue.Create(s)),
        ArbMap.Default.GeneratorFor<string>().Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Constant<JsonNode?>(new JsonObject()),
        Gen.Constant<JsonNode?>(new JsonArray()),
        Gen.Constant<JsonNode?>(new JsonObject { ["a"] = new JsonArray("b", 1, null) }));

    private static Gen<JsonObject> BaseEvent() =>
        from rest in ArbMap.Default.GeneratorFor<bool>()
        from method in Gen.Elements("GET", "POST", "PUT", "get")
        from path in Gen.Elements("/echo", "/request", "/cookies", "/nope", "/", "/echo/")
        from body in Gen.Elements("", "hello", "{\"a\":1}")
        from base64 in ArbMap.Default.GeneratorFor<bool>()
        select (rest ? Events.RestApiV1(method, path) : Events.HttpApiV2(method, path)).WithBody(Encoding.UTF8.GetBytes(body), "text/plain", base64);

    /// <summary>Every (parent, key) in the tree, so a mutation can pick any of them.</summary>
    private static List<(JsonNode Parent, string? Key, int Index)> Slots(JsonNode node)
    {
        var slots = new List<(JsonNode, string?, int)>();
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    slots.Add((obj, key, -1));
                    if (child is not null)
                    {
                        slots.AddRange(Slots(child));
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    slots.Add((array, null, i));
                    if (array[i] is { } child)
                    {
                        slots.AddRange(Slots(child));
                    }
                }

                break;
        }

        return slots;
    }

    private static Gen<byte[]> Event() =>
        from e in BaseEvent()
        from edits in Gen.Choose(0, 5).SelectMany(n => Gen.ListOf(
            from at in Gen.Choose(0, int.MaxValue)
            from remove in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
            from value in AnyJson()
            select (at, remove, value), n))
        select Apply(e, edits);

    private static byte[] Apply(JsonObject e, IEnumerable<(int At, bool Remove, JsonNode? Value)> edits)
    {
        foreach (var (at, remove, value) in edits)
        {
            var slots = Slots(e);
            var (parent, key, index) = slots[at % slots.Count];
            var copy = value?.DeepClone();
            if (parent is JsonObject obj && key is not null)
            {
                if (remove)
                {
                    obj.Remove(key);
                }
                else
                {
                    obj[key] = copy;
                }
            }
            else if (parent is JsonArray array)
            {
                array[index] = copy;
            }
        }

        return e.Bytes();
    }

    [Fact]
    public async Task Any_mutated_event_is_served_without_a_500_or_refused_as_invalid_and_the_loop_goes_on()
    {
        foreach (var payload in Event().Sample(Iterations, size: 50))
        {
            var result = await fixture.InvokeAsync(payload);
            var what = Encoding.UTF8.GetString(payload);
            if (result.Status == InvocationStatus.Success)
            {
                using var response = JsonDocument.Parse(result.Body);
                var status = response.RootElement.GetProperty("statusCode").GetInt32();
                Assert.True(status is >= 200 and < 500, $"{status} for {what}: {result.BodyText}");
            }
            else
            {
                Assert.Equal(InvocationStatus.FunctionError, result.Status);
                Assert.True(result.ErrorType is "InvalidEvent" or "UnsupportedEvent", $"{result.ErrorType} for {what}: {result.BodyText}");
            }
        }

        var next = await fixture.InvokeAsync(Events.HttpApiV2("GET", "/cookies").Bytes());
        Assert.Equal(InvocationStatus.Success, next.Status);
    }
}
