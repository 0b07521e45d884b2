using System.Text.Json;
using System.Text.Json.Nodes;
using Users.Terraform.Tests.Infrastructure;

namespace Users.Terraform.Tests.Iam;

/// <summary>
/// One request to authorise: who asks for what on which resource, under which policies and context. Unvalidated: the
/// evaluator's catalogue cannot check it (a trust policy's identity-provider keys, API Gateway V2 paths), so it is
/// evaluated exactly as written, without the catalogue's checks of the action, resource type and context keys.
/// </summary>
public sealed record IamCase(
    string Principal,
    string Action,
    string Resource,
    IReadOnlyList<PolicyDocument> IdentityPolicies,
    JsonNode? ResourcePolicy = null,
    IReadOnlyDictionary<string, object>? Context = null,
    bool Unvalidated = false);

/// <summary>The evaluator's answer: Allowed, ImplicitlyDenied or ExplicitlyDenied (Error: the request itself is not valid).</summary>
public sealed record IamDecision(IamCase Case, string Decision, IReadOnlyList<string> IgnoredContextKeys, string? Errors)
{
    public bool Allowed => Decision == "Allowed";
}

/// <summary>
/// A real IAM policy evaluator: <c>@cloud-copilot/iam-simulate</c> (tools/iam-simulate, installed by scripts/ci-setup.sh;
/// AGPL, test-time only), run once per batch through <c>node tools/iam-simulate/evaluate.mjs</c>.
/// </summary>
public static class IamSimulator
{
    public const string Account = "123456789012";

    public static async Task<IReadOnlyList<IamDecision>> EvaluateAsync(IReadOnlyList<IamCase> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var script = RepoPaths.Of("tools", "iam-simulate", "evaluate.mjs");
        if (!Directory.Exists(RepoPaths.Of("tools", "iam-simulate", "node_modules", "@cloud-copilot", "iam-simulate")))
        {
            throw new InvalidOperationException("@cloud-copilot/iam-simulate is not installed: run scripts/ci-setup.sh (npm ci --prefix tools/iam-simulate)");
        }

        var input = new JsonArray([.. cases.Select((c, i) => (JsonNode)new JsonObject
        {
            ["id"] = i,
            ["principal"] = c.Principal,
            ["action"] = c.Action,
            ["resource"] = c.Resource,
            ["account"] = Account,
            ["identityPolicies"] = new JsonArray([.. c.IdentityPolicies.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["policy"] = p.Document.DeepClone() })]),
            ["resourcePolicy"] = c.ResourcePolicy?.DeepClone(),
            ["context"] = JsonSerializer.SerializeToNode(c.Context ?? new Dictionary<string, object>()),
            ["unvalidated"] = c.Unvalidated,
        })]);

        var result = (await Cli.RunAsync("node", [script], stdin: input.ToJsonString(), timeout: TimeSpan.FromMinutes(3))).EnsureSuccess();
        var output = JsonDocument.Parse(result.StdOut).RootElement;
        return [.. output.EnumerateArray().Select(r => new IamDecision(
            cases[r.GetProperty("id").GetInt32()],
            r.GetProperty("decision").GetString()!,
            [.. r.GetProperty("ignoredContextKeys").EnumerateArray().Select(k => k.GetString()!)],
            r.TryGetProperty("errors", out var errors) ? errors.GetRawText() : null))];
    }
}

/// <summary>An IAM policy document as IAM returned it, named for messages (managed policy ARN, or role/inline name).</summary>
public sealed record PolicyDocument(string Name, JsonNode Document)
{
    /// <summary>Every (action, resource) pair an Allow statement names, for the "every grant is used" direction.</summary>
    public IEnumerable<(string Sid, string Action, string Resource)> AllowedPairs()
    {
        foreach (var statement in Statements(Document))
        {
            if (statement["Effect"]?.GetValue<string>() != "Allow")
            {
                continue;
            }

            var sid = statement["Sid"]?.GetValue<string>() ?? "(no Sid)";
            foreach (var action in Strings(statement["Action"]))
            {
                foreach (var resource in Strings(statement["Resource"]))
                {
                    yield return (sid, action, resource);
                }
            }
        }
    }

    public static IEnumerable<JsonNode> Statements(JsonNode document) =>
        document["Statement"] switch
        {
            JsonArray array => array.OfType<JsonNode>(),
            JsonObject single => [single],
            _ => [],
        };

    public static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => n!.GetValue<string>()),
        JsonValue value => [value.GetValue<string>()],
        _ => [],
    };
}
