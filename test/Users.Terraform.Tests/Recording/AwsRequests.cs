using System.Text.Json;
using System.Text.RegularExpressions;

namespace Users.Terraform.Tests.Recording;

/// <summary>
/// One AWS request as IAM authorises it: the action, the resource ARN, what was sent (for messages), and the condition
/// keys the request itself sets (s3:prefix of a listing).
/// </summary>
public sealed record AwsCall(string Action, string Resource, string Request, bool Authenticated, IReadOnlyDictionary<string, string>? Context = null)
{
    /// <summary>The call's condition keys as one string, to tell apart two calls on the same resource.</summary>
    public string ContextKey => Context is null ? string.Empty : string.Join('&', Context.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
}

/// <summary>
/// What IAM authorises for a request the app sends, from the request alone (the service reference's action and resource
/// for each API): DynamoDB by its X-Amz-Target and TableName, S3 (path-style, as against an emulator) by its method,
/// bucket, key and sub-resource. A request this does not know is returned as null and reported by the test, never dropped.
/// </summary>
public static partial class AwsRequests
{
    public static AwsCall? Describe(string method, string path, string query, IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body, string account)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var region = Region(headers, query);
        var signed = headers.ContainsKey("authorization") || query.Contains("X-Amz-Signature=", StringComparison.Ordinal);
        var request = $"{method} {path}{query}";

        if (headers.TryGetValue("x-amz-target", out var target) && target.StartsWith("DynamoDB_20120810.", StringComparison.Ordinal))
        {
            var operation = target["DynamoDB_20120810.".Length..];
            using var json = JsonDocument.Parse(body.ToArray());
            return json.RootElement.TryGetProperty("TableName", out var table)
                ? new AwsCall($"dynamodb:{operation}", $"arn:aws:dynamodb:{region}:{account}:table/{table.GetString()}", $"{request} {operation}", signed)
                : null;
        }

        // S3, path-style: /bucket[/key]
        var segments = path.TrimStart('/').Split('/', 2);
        if (segments[0].Length == 0)
        {
            return null;
        }

        var bucket = $"arn:aws:s3:::{segments[0]}";
        var key = segments.Length == 2 && segments[1].Length > 0 ? Uri.UnescapeDataString(segments[1]) : null;
        var subresources = SubResources(query);
        string? action = (method, key, subresources) switch
        {
            ("HEAD", null, []) => "s3:ListBucket", // HeadBucket
            ("GET", null, []) or ("GET", null, ["list-type"]) => "s3:ListBucket",
            ("GET", null, ["location"]) => "s3:GetBucketLocation",
            ("GET" or "HEAD", not null, []) => "s3:GetObject",
            ("PUT", not null, []) => headers.ContainsKey("x-amz-copy-source") ? null : "s3:PutObject",
            ("DELETE", not null, []) => "s3:DeleteObject",
            ("DELETE", not null, ["versionId"]) => "s3:DeleteObjectVersion",
            ("POST", null, ["delete"]) => "s3:DeleteObject",
            _ => null,
        };
        // A listing names its prefix, which IAM sees as the condition key s3:prefix.
        var context = action == "s3:ListBucket" && QueryValue(query, "prefix") is { } prefix ? new Dictionary<string, string> { ["s3:prefix"] = prefix } : null;
        return action is null ? null : new AwsCall(action, key is null ? bucket : $"{bucket}/{key}", request, signed, context);
    }

    /// <summary>The region of the request's SigV4 credential scope (header or presigned query).</summary>
    private static string Region(IReadOnlyDictionary<string, string> headers, string query)
    {
        var scope = headers.TryGetValue("authorization", out var authorization) ? authorization : Uri.UnescapeDataString(query);
        var match = CredentialScope().Match(scope);
        return match.Success ? match.Groups["region"].Value : "us-east-1";
    }

    private static string? QueryValue(string query, string name) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => Uri.UnescapeDataString(p[0]) == name)
            .Select(p => p.Length == 2 ? Uri.UnescapeDataString(p[1]) : string.Empty)
            .FirstOrDefault();

    /// <summary>The query's parameter names that select a sub-resource or list style (the X-Amz-* signing parameters are not).</summary>
    private static string[] SubResources(string query) =>
        [.. query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Uri.UnescapeDataString(p.Split('=', 2)[0]))
            .Where(name => !name.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase)
                && name is not ("prefix" or "continuation-token" or "max-keys" or "start-after" or "delimiter" or "encoding-type" or "x-id"))
            .Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"Credential=[^/]+/\d{8}/(?<region>[a-z0-9-]+)/")]
    private static partial Regex CredentialScope();
}
