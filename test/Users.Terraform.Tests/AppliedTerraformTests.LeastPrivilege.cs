using System.Net;
using Users.Api.Tests.Contract;
using Users.Api.Tests.Infrastructure;
using Users.Terraform.Tests.Iam;
using Users.Terraform.Tests.Infrastructure;
using Users.Terraform.Tests.Recording;

namespace Users.Terraform.Tests;

/// <summary>
/// Least privilege, proven per call: the app runs on the Terraform-made table and bucket behind a recording proxy,
/// as a Kestrel process and as a Lambda function, through the whole API contract suite (registrations, duplicates in
/// another letter case, lists whole, paged and streamed, presigned URLs, readiness, failing backends) and both
/// reconciler paths. Every request it sent is then evaluated against the IRSA, Pod Identity and Lambda roles as IAM
/// holds them; and every grant of those roles must be used by some path or be explained.
/// </summary>
public sealed partial class AppliedTerraformTests
{
    /// <summary>Grants no path of the app exercises, and why they are there.</summary>
    private static readonly Dictionary<string, string> UsedOutsideTheApp = new(StringComparer.Ordinal)
    {
        ["logs:CreateLogGroup"] = "the Lambda service writes the function's output to CloudWatch Logs with the execution role",
        ["logs:CreateLogStream"] = "the Lambda service writes the function's output to CloudWatch Logs with the execution role",
        ["logs:PutLogEvents"] = "the Lambda service writes the function's output to CloudWatch Logs with the execution role",
        ["xray:PutTraceSegments"] = "the Lambda service sends the active-tracing segments (template.yaml Tracing: Active) with the execution role",
        ["xray:PutTelemetryRecords"] = "the Lambda service sends the active-tracing segments (template.yaml Tracing: Active) with the execution role",
    };

    private IReadOnlyList<RoleSnapshot> WorkloadRoles => [terraform.Roles["irsa"], terraform.Roles["pod_identity"], terraform.Roles["lambda"]];

    [Fact]
    [Step(5)]
    public Task Every_request_of_the_kestrel_process_is_allowed_for_every_workload_role() =>
        RecordAndEvaluateAsync("kestrel", settings => ProcessApiFixture.StartAsync(settings), f => new KestrelContract(f));

    [Fact]
    [Step(6)]
    public Task Every_request_of_the_lambda_function_is_allowed_for_every_workload_role() =>
        RecordAndEvaluateAsync("lambda", async settings => await LambdaApi.StartAsync(settings), f => new LambdaContract(f));

    [Fact]
    [Step(7)]
    public void Every_grant_of_the_workload_roles_is_used_by_some_path_or_explained()
    {
        Assert.True(terraform.Recordings.ContainsKey("kestrel") && terraform.Recordings.ContainsKey("lambda"), "both hosts' recordings are needed (steps 5 and 6)");
        var calls = terraform.Recordings.Values.SelectMany(c => c).Where(c => c.Authenticated).ToList();
        var unused = LeastPrivilege.UnusedGrants(WorkloadRoles.SelectMany(r => r.Policies).DistinctBy(p => p.Name), calls, UsedOutsideTheApp);
        Assert.True(unused.Count == 0, "granted but never used by any recorded path (remove it, or say why it is needed):\n" + string.Join('\n', unused));
    }

    private async Task RecordAndEvaluateAsync(string host, Func<IReadOnlyDictionary<string, string>, Task<IRunningApi>> start, Func<RecordedApiFixture, object> contract)
    {
        await using var recorder = await RecordingProxy.StartAsync(terraform.Endpoint, IamSimulator.Account);
        var fixture = new RecordedApiFixture(terraform, recorder, host, start);
        await EmptyTableAsync(fixture.Storage); // each host starts from the table as Terraform made it, as the contract's own fixtures do
        await fixture.InitializeAsync();
        (int Ran, IReadOnlyList<string> Failures) suite;
        try
        {
            suite = await ContractRun.RunAsync(contract(fixture));
            await ReconcilerKeepsNothingAfterAnUnknownWriteAsync(fixture);
            await ReconcilerRemovesWhatARefusedWriteLeftAsync(fixture);
        }
        finally
        {
            await fixture.DisposeAsync();
            terraform.Recordings[host] = recorder.Calls;
        }

        Assert.True(suite.Failures.Count == 0, $"the contract suite failed on the {host} host ({suite.Failures.Count} of {suite.Ran}):\n" + string.Join('\n', suite.Failures));
        Assert.True(suite.Ran >= 30, $"only {suite.Ran} contract tests ran");
        Assert.True(recorder.Unknown.Count == 0, "requests with no known IAM action:\n" + string.Join('\n', recorder.Unknown));
        var actions = recorder.Calls.Where(c => c.Authenticated).Select(c => c.Action).ToHashSet();
        Assert.Superset(new HashSet<string> { "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:DescribeTable", "s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:ListBucket" }, actions);

        var refusals = await LeastPrivilege.RefusalsAsync(recorder.Calls, WorkloadRoles, terraform.Output("bucket_arn"), terraform.BucketPolicy);
        Assert.True(refusals.Count == 0, $"the {host} host sent {refusals.Count} request(s) a workload role refuses:\n" + string.Join('\n', refusals));
    }

    private static async Task EmptyTableAsync(AwsTestStorage storage)
    {
        foreach (var item in await storage.ScanAsync())
        {
            await storage.DynamoDb.DeleteItemAsync(storage.TableName, new Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue> { ["email"] = item["email"] });
        }
    }

    /// <summary>
    /// The write's outcome is unknown (DynamoDB resets the connection): the avatar is kept and the reconciler settles it
    /// once DynamoDB answers — it looks the user up (GetItem) and removes the avatar no user points to (DeleteObject).
    /// </summary>
    private static async Task ReconcilerKeepsNothingAfterAnUnknownWriteAsync(RecordedApiFixture fixture)
    {
        var before = await fixture.Storage.ObjectKeysAsync();
        fixture.Recorder.Faults = call => call.Action.StartsWith("dynamodb:", StringComparison.Ordinal) ? Fault.Reset : Fault.None;
        try
        {
            using var response = await fixture.Client.PostAsync("/user", Images.Form("Unknown write", Images.UniqueEmail("unknown"), Images.Png));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        finally
        {
            fixture.Recorder.Faults = null;
        }

        var kept = (await fixture.Storage.ObjectKeysAsync()).Except(before).Single();
        await Wait.Until(async () => !(await fixture.Storage.ObjectKeysAsync()).Contains(kept), TimeSpan.FromSeconds(60), $"the reconciler to remove {kept}");
        Assert.Contains(fixture.Recorder.Calls, c => c.Action == "s3:DeleteObject" && c.Resource.EndsWith("/" + kept, StringComparison.Ordinal));
    }

    /// <summary>
    /// The write is refused and the avatar's removal fails (S3 resets it): the reconciler retries the removal until S3
    /// answers.
    /// </summary>
    private static async Task ReconcilerRemovesWhatARefusedWriteLeftAsync(RecordedApiFixture fixture)
    {
        var before = await fixture.Storage.ObjectKeysAsync();
        fixture.Recorder.Faults = call => call.Action switch
        {
            "dynamodb:PutItem" => Fault.Refuse,
            "s3:DeleteObject" => Fault.Reset,
            _ => Fault.None,
        };
        try
        {
            using var response = await fixture.Client.PostAsync("/user", Images.Form("Refused write", Images.UniqueEmail("refused"), Images.Png));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        finally
        {
            fixture.Recorder.Faults = null;
        }

        var left = (await fixture.Storage.ObjectKeysAsync()).Except(before).Single();
        await Wait.Until(async () => !(await fixture.Storage.ObjectKeysAsync()).Contains(left), TimeSpan.FromSeconds(60), $"the reconciler to remove {left}");
    }

    // The contract suite on this fixture: not public, so xUnit does not run them on their own.
    private sealed class KestrelContract(RecordedApiFixture fixture) : KestrelHostContract<RecordedApiFixture>(fixture);

    private sealed class LambdaContract(RecordedApiFixture fixture) : UsersApiContract<RecordedApiFixture>(fixture);
}
