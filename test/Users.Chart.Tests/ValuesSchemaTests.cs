using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Xunit.Abstractions;

namespace Users.Chart.Tests;

/// <summary>values.yaml and every values-*.yaml validate against values.schema.json, which describes every value.</summary>
public sealed class ValuesSchemaTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonNode> SchemaNode = new(() =>
        JsonNode.Parse(File.ReadAllText(RepoPaths.ChartFile("values.schema.json"))) ?? throw new InvalidOperationException("empty schema"));

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(RepoPaths.ChartFile("values.schema.json"))));

    public static TheoryData<string> ValuesFiles()
    {
        var data = new TheoryData<string> { "values.yaml" };
        foreach (var file in RepoPaths.ProfileValuesFiles())
        {
            data.Add(file);
        }

        return data;
    }

    private EvaluationResults Evaluate(JsonNode? values)
    {
        using var document = JsonDocument.Parse(values?.ToJsonString() ?? "null");
        var results = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        foreach (var detail in (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }))
        {
            output.WriteLine($"{detail.InstanceLocation}: {string.Join("; ", detail.Errors!.Values)}");
        }

        return results;
    }

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public void Values_file_is_valid(string file)
    {
        Assert.True(Evaluate(YamlJson.Load(RepoPaths.ChartFile(file))).IsValid, $"{file} does not match values.schema.json (see output)");
    }

    [Theory]
    [InlineData("config.avatarUrlMode", "\"sometimes\"")]
    [InlineData("config.avatarMaxBytes", "\"4MB\"")]
    [InlineData("config.awsRegion", "\"Mars\"")]
    [InlineData("image.pullPolicy", "\"Sometimes\"")]
    [InlineData("securityContext.allowPrivilegeEscalation", "true")]
    [InlineData("securityContext.runAsNonRoot", "false")]
    [InlineData("podSecurityContext.runAsNonRoot", "false")]
    [InlineData("rollingUpdate.maxUnavailable", "1")]
    [InlineData("autoscaling.minReplicas", "1")]
    [InlineData("probes.liveness.path", "\"/health/ready\"")]
    [InlineData("resources.limits", "{\"cpu\": \"1\"}")]
    [InlineData("serviceAccount.roleArn", "\"users-role\"")]
    [InlineData("serviceAccount.rolearn", "\"arn:aws:iam::123456789012:role/x\"")]
    [InlineData("sweep.gracePeriodSeconds", "10")]
    [InlineData("sweep.resources.limits", "{\"cpu\": \"1\"}")]
    [InlineData("typoAtTheTop", "1")]
    public void A_bad_value_is_rejected(string path, string json)
    {
        var values = YamlJson.Load(RepoPaths.ChartFile("values.yaml"))!;
        Assert.True(Evaluate(values).IsValid);

        var segments = path.Split('.');
        var parent = segments[..^1].Aggregate(values, (node, key) => node[key]!);
        parent[segments[^1]] = JsonNode.Parse(json);

        Assert.False(Evaluate(values).IsValid, $"{path} = {json} was accepted");
    }

    [Fact]
    public void Every_value_in_values_yaml_is_described_by_the_schema()
    {
        var values = YamlJson.Load(RepoPaths.ChartFile("values.yaml"))!.AsObject();
        var missing = LeafPaths(values).Where(p => Resolve(SchemaNode.Value, p.Split('.')) is null).ToList();
        Assert.True(missing.Count == 0, "not in values.schema.json: " + string.Join(", ", missing));
    }

    [Fact]
    public void Readme_values_table_lists_every_value()
    {
        var readme = File.ReadAllText(RepoPaths.ChartFile("README.md"));
        var values = YamlJson.Load(RepoPaths.ChartFile("values.yaml"))!.AsObject();
        var missing = LeafPaths(values).Where(p => !readme.Contains($"| `{p}` |", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "not in helm/users-api/README.md's values table: " + string.Join(", ", missing));
    }

    /// <summary>Dotted paths of the scalars, lists and empty maps in a values tree.</summary>
    internal static IEnumerable<string> LeafPaths(JsonObject node, string prefix = "")
    {
        foreach (var (key, child) in node)
        {
            var path = prefix + key;
            if (child is JsonObject map && map.Count > 0)
            {
                foreach (var nested in LeafPaths(map, path + "."))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    /// <summary>The subschema describing a property path (following $ref pointers and allOf), or null.</summary>
    private static JsonNode? Resolve(JsonNode schema, IEnumerable<string> path)
    {
        var current = Deref(schema);
        foreach (var key in path)
        {
            var next = current["properties"]?[key]
                ?? current["allOf"]?.AsArray().Select(s => Deref(s!)["properties"]?[key]).FirstOrDefault(s => s is not null);
            if (next is null)
            {
                return null;
            }

            current = Deref(next);
        }

        return current;
    }

    private static JsonNode Deref(JsonNode schema)
    {
        var reference = schema["$ref"]?.GetValue<string>();
        if (reference is null)
        {
            return schema;
        }

        // A JSON pointer into the schema itself: #/definitions/x, #/properties/resources.
        var target = reference.TrimStart('#', '/').Split('/').Aggregate(SchemaNode.Value, (node, segment) => node[segment]!);
        return Deref(target);
    }
}
