using System.Net;
using System.Text.Json;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Hosting;

/// <summary>
/// On Lambda the instruments are written as CloudWatch Embedded Metric Format records on stdout after each invocation,
/// in the shape Powertools Metrics writes: checked against the EMF specification's rules (every listed metric has a
/// value, every dimension a string value, CloudWatch units) on the real function process.
/// </summary>
public sealed class LambdaMetricsTests(LambdaApiFixture fixture) : IClassFixture<LambdaApiFixture>
{
    private static readonly HashSet<string> CloudWatchUnits =
    [
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits",
        "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
        "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
        "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    ];

    [Fact]
    public async Task Each_invocation_writes_valid_emf_with_a_service_dimension_and_one_cold_start()
    {
        await using var api = await LambdaApi.StartAsync(fixture.Settings(new Dictionary<string, string>
        {
            ["POWERTOOLS_SERVICE_NAME"] = "users-api-emf",
            ["POWERTOOLS_METRICS_NAMESPACE"] = "UsersApiTests",
        }));

        using (var listed = await api.Client.GetAsync("/users?limit=1"))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }

        using (var created = await api.Client.PostAsync("/user", Images.Form("Emf", Images.UniqueEmail("emf"), Images.Png)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // The second invocation's flush carries the first one's request duration (recorded after its pipeline).
        List<JsonElement> records = [];
        await Wait.Until(
            () =>
            {
                records = [.. api.Output.Where(l => l.StartsWith("{\"_aws\"", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
                return Task.FromResult(
                    records.Any(r => r.TryGetProperty("http.route", out var route) && route.GetString() == "/users" && r.TryGetProperty("http.server.request.duration", out _)) &&
                    records.Any(r => r.TryGetProperty("users.registrations", out _)));
            },
            TimeSpan.FromSeconds(20),
            "EMF records of both invocations");

        var metrics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var aws = record.GetProperty("_aws");
            Assert.True(aws.GetProperty("Timestamp").GetInt64() > 1_600_000_000_000);
            var directive = Assert.Single(aws.GetProperty("CloudWatchMetrics").EnumerateArray());
            Assert.Equal("UsersApiTests", directive.GetProperty("Namespace").GetString());
            var dimensions = Assert.Single(directive.GetProperty("Dimensions").EnumerateArray()).EnumerateArray().Select(d => d.GetString()!).ToList();
            Assert.Equal("service", dimensions[0]);
            Assert.True(dimensions.Count <= 30, $"{dimensions.Count} dimensions");
            Assert.All(dimensions, d => Assert.Equal(JsonValueKind.String, record.GetProperty(d).ValueKind));
            Assert.Equal("users-api-emf", record.GetProperty("service").GetString());
            foreach (var metric in directive.GetProperty("Metrics").EnumerateArray())
            {
                var name = metric.GetProperty("Name").GetString()!;
                var unit = metric.GetProperty("Unit").GetString()!;
                Assert.Contains(unit, CloudWatchUnits);
                var value = record.GetProperty(name);
                Assert.True(
                    value.ValueKind == JsonValueKind.Number || (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() is > 0 and <= 100 && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number)),
                    $"{name}: {value}");
                metrics[name] = unit;
            }
        }

        var coldStart = Assert.Single(records, r => r.TryGetProperty("ColdStart", out _));
        Assert.Equal(1, coldStart.GetProperty("ColdStart").GetInt32());
        Assert.Equal("users-api-tests", coldStart.GetProperty("function_name").GetString());

        Assert.Equal("Count", metrics["ColdStart"]);
        Assert.Equal("Seconds", metrics["http.server.request.duration"]);
        Assert.Equal("Seconds", metrics["users.dependency.duration"]);
        Assert.Equal("Count", metrics["users.dependency.calls"]);
        Assert.Equal("Count", metrics["users.registrations"]);
        Assert.Equal("Bytes", metrics["users.avatar.size"]);

        var registration = Assert.Single(records, r => r.TryGetProperty("users.registrations", out _));
        Assert.Equal("created", registration.GetProperty("outcome").GetString());
        Assert.Contains(records, r => r.TryGetProperty("operation", out var op) && op.GetString() == "PutObject" && r.GetProperty("outcome").GetString() == "ok");
        Assert.DoesNotContain(records, r => r.EnumerateObject().Any(p => p.Name.StartsWith("dotnet.", StringComparison.Ordinal)));
    }
}
