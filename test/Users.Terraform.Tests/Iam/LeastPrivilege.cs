using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Users.Terraform.Tests.Infrastructure;
using Users.Terraform.Tests.Recording;

namespace Users.Terraform.Tests.Iam;

/// <summary>
/// Recorded AWS requests tried against roles as AWS would: each distinct (action, resource) the app sent, for each role,
/// with the role's policies as IAM holds them and the bucket's own policy, over TLS (as every request to AWS is).
/// </summary>
public static class LeastPrivilege
{
    /// <summary>One line per refused (action, resource, condition keys, role), naming the policies tried and the request that needed it.</summary>
    public static async Task<IReadOnlyList<string>> RefusalsAsync(IEnumerable<AwsCall> calls, IReadOnlyList<RoleSnapshot> roles, string bucketArn, JsonNode? bucketPolicy)
    {
        var distinct = calls.Where(c => c.Authenticated).GroupBy(c => (c.Action, c.Resource, c.ContextKey)).Select(g => g.First()).ToList();
        var cases = new List<(AwsCall Call, RoleSnapshot Role, IamCase Case)>();
        foreach (var call in distinct)
        {
            var onBucket = call.Resource == bucketArn || call.Resource.StartsWith(bucketArn + "/", StringComparison.Ordinal);
            var context = new Dictionary<string, object> { ["aws:SecureTransport"] = "true" };
            if (onBucket)
            {
                context["s3:TlsVersion"] = "1.3";
            }

            foreach (var (key, value) in call.Context ?? new Dictionary<string, string>())
            {
                context[key] = value;
            }

            foreach (var role in roles)
            {
                cases.Add((call, role, new IamCase(role.SessionArn, call.Action, call.Resource, role.Policies, onBucket ? bucketPolicy : null, context)));
            }
        }

        var decisions = await IamSimulator.EvaluateAsync([.. cases.Select(c => c.Case)]);
        var refusals = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var (call, role, _) = cases[i];
            var decision = decisions[i];
            if (!decision.Allowed || decision.IgnoredContextKeys.Count > 0)
            {
                refusals.Add(
                    $"{call.Action} on {call.Resource}{(call.Context is null ? string.Empty : $" ({call.ContextKey})")} is {decision.Decision} for role {role.Name} " +
                    $"(policies: {string.Join(", ", role.Policies.Select(p => p.Name))}; request: {call.Request})" +
                    (decision.IgnoredContextKeys.Count > 0 ? $"; context keys the evaluator ignored: {string.Join(", ", decision.IgnoredContextKeys)}" : string.Empty) +
                    (decision.Errors is null ? string.Empty : $"; {decision.Errors}"));
            }
        }

        return refusals;
    }

    /// <summary>Every Allow (action, resource pattern) of the policies that no recorded call used, less those explained.</summary>
    public static IReadOnlyList<string> UnusedGrants(IEnumerable<PolicyDocument> policies, IReadOnlyList<AwsCall> calls, IReadOnlyDictionary<string, string> explained) =>
        [.. policies
            .SelectMany(p => p.AllowedPairs().Select(pair => (Policy: p.Name, pair.Sid, pair.Action, pair.Resource)))
            .Where(g => !explained.ContainsKey(g.Action) && !calls.Any(c => Matches(g.Action, c.Action) && Matches(g.Resource, c.Resource)))
            .Select(g => $"{g.Action} on {g.Resource} ({g.Policy}, statement {g.Sid})")
            .Distinct()];

    /// <summary>IAM's wildcard matching of an action or ARN pattern (* any run of characters, ? one), case-sensitive for ARNs.</summary>
    public static bool Matches(string pattern, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$");
}
