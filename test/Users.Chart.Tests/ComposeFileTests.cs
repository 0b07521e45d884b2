using System.Text.Json.Nodes;

namespace Users.Chart.Tests;

/// <summary>
/// docker-compose.yml cannot run here (no Docker engine), so its wiring is checked statically:
/// LocalStack healthy before the init, the init done before the API, the API hardened and on loopback only.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly Lazy<JsonObject> Services = new(() =>
        YamlJson.Load(Path.Combine(RepoPaths.RepoRoot, "docker-compose.yml"))!["services"]!.AsObject());

    private static JsonNode Service(string name) => Services.Value[name] ?? throw new InvalidOperationException($"no service {name}");

    private static IEnumerable<string> Strings(JsonNode? node) => node?.AsArray().Select(n => n!.GetValue<string>()) ?? [];

    [Fact]
    public void Localstack_listens_on_all_interfaces_and_has_a_healthcheck()
    {
        var localstack = Service("localstack");
        Assert.Equal("0.0.0.0:4566", localstack["environment"]!["GATEWAY_LISTEN"]!.GetValue<string>());
        var test = Strings(localstack["healthcheck"]!["test"]).ToList();
        Assert.Equal("CMD-SHELL", test[0]);
        Assert.Contains("/_localstack/health", test[1], StringComparison.Ordinal);
        Assert.All(Strings(localstack["ports"]), p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Init_waits_for_healthy_localstack_and_creates_the_table_and_bucket()
    {
        var init = Service("init");
        Assert.Equal("service_healthy", init["depends_on"]!["localstack"]!["condition"]!.GetValue<string>());
        var script = string.Join('\n', Strings(init["command"]));
        Assert.Contains("dynamodb create-table", script, StringComparison.Ordinal);
        Assert.Contains("AttributeName=email,KeyType=HASH", script, StringComparison.Ordinal);
        Assert.Contains("s3api create-bucket", script, StringComparison.Ordinal);
        Assert.Equal("http://localstack:4566", init["environment"]!["AWS_ENDPOINT_URL"]!.GetValue<string>());
    }

    [Fact]
    public void Api_starts_after_the_init_read_only_on_loopback()
    {
        var api = Service("api");
        Assert.Equal("service_completed_successfully", api["depends_on"]!["init"]!["condition"]!.GetValue<string>());
        Assert.True(api["read_only"]!.GetValue<bool>());
        Assert.Contains(Strings(api["tmpfs"]), t => t.StartsWith("/tmp", StringComparison.Ordinal));
        Assert.Equal(["ALL"], Strings(api["cap_drop"]));
        Assert.Equal(["127.0.0.1:8080:8080"], Strings(api["ports"]));
        Assert.Equal(".", api["build"]!.GetValue<string>());

        var environment = api["environment"]!.AsObject();
        foreach (var key in new[] { "AWS_ENDPOINT_URL", "USERS_TABLE_NAME", "AVATARS_BUCKET_NAME", "AWS_REGION" })
        {
            Assert.False(string.IsNullOrEmpty(environment[key]?.GetValue<string>()), key);
        }
    }
}
