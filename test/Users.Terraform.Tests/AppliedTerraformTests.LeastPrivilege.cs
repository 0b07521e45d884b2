using System.Net;
using Users.Api.Tests.Contract;
using Users.Api.Tests.Infrastructure;
using Users.Api.Tests.Sweep;
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

    /// <summary>The roles the API runs with (the sweep's own role is evaluated in step 7).</summary>
    private IReadOnlyList<RoleSnapshot> WorkloadRoles => [terraform.Roles["irsa"], terraform.Roles["pod_identity"], terraform.Roles["lambda"]];

    [Fact]
    [Step(5)]
    public Task Every_request_of_the_kestrel_process_is_allowed_for_every_workload_role() =>
        RecordAndEvaluateAsync("kestrel", settings => ProcessApiFixture.StartAsync(settings), f => new KestrelContract(f));

    [Fact]
    [Step(6)]
    public Task Every_request_of_the_lambda_function_is_allowed_for_every_workload_role() =>
        RecordAndEvaluateAsync("lambda", async settings => await LambdaApi.StartAsync(settings), f => new LambdaContract(f));

    /// <summary>
    /// The avatar sweep, both ways it runs: as the CronJob's process (with the pods' service account: the IRSA and Pod
    /// Identity roles) and as the scheduled function (its own role), each removing one of two orphans; every request it
    /// sent is evaluated against the roles that run it, and the sweep role refuses what the sweep never does.
    /// </summary>
    [Fact]
    [Step(7)]
    public async Task Every_request_of_the_sweep_is_allowed_for_the_roles_that_run_it_and_nothing_more_for_its_own()
    {
        using var storage = Storage();
        foreach (var key in new[] { "avatars/referenced.png", "avatars/orphan-1.png", "avatars/orphan-2.png" })
        {
            await storage.S3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = "avatar" });
        }

        await storage.PutItemAsync(Images.UniqueEmail("sweep"), "Swept Not", $"https://{Bucket}.s3.us-east-1.amazonaws.com/avatars/referenced.png");
        await SweepScenario.WaitPastGraceAsync(storage);

        await using var recorder = await RecordingProxy.StartAsync(terraform.Endpoint, IamSimulator.Account);
        var settings = SweepScenario.Settings(storage, recorder.Endpoint, ("SWEEP_MAX_REMOVALS", "1"));
        var cronJob = await SweepScenario.RunSweepProcessAsync(settings);
        Assert.True(cronJob.ExitCode == 0 && cronJob.Removed.Count == 1, cronJob.ToString());
        var processCalls = recorder.Calls;

        await using (var function = await LambdaApi.StartAsync(new Dictionary<string, string>(settings) { ["_HANDLER"] = "sweep" }))
        {
            var scheduled = await function.Emulator.InvokeAsync(await File.ReadAllBytesAsync(RepoPaths.Of("events", "scheduled-sweep.json")));
            Assert.True(scheduled.Status == Users.LambdaEmulator.InvocationStatus.Success, $"{scheduled.Status} {scheduled.BodyText}\n{string.Join('\n', function.Output)}");
            Assert.Contains("\"removed\":1", scheduled.BodyText, StringComparison.Ordinal);
        }

        var functionCalls = recorder.Calls.Skip(processCalls.Count).ToList();
        terraform.Recordings["sweep-process"] = processCalls;
        terraform.Recordings["sweep-lambda"] = functionCalls;
        Assert.True(recorder.Unknown.Count == 0, "requests with no known IAM action:\n" + string.Join('\n', recorder.Unknown));
        foreach (var calls in new[] { processCalls, functionCalls })
        {
            Assert.Equal(
                ["dynamodb:Scan", "s3:DeleteObject", "s3:ListBucket avatars/"],
                calls.Where(c => c.Authenticated).Select(c => c.Context is { } context ? $"{c.Action} {context["s3:prefix"]}" : c.Action).Distinct().Order(StringComparer.Ordinal));
        }

        var bucketArn = terraform.Output("bucket_arn");
        Assert.Empty(await LeastPrivilege.RefusalsAsync(processCalls, [terraform.Roles["irsa"], terraform.Roles["pod_identity"]], bucketArn, terraform.BucketPolicy));
        Assert.Empty(await LeastPrivilege.RefusalsAsync(functionCalls, [terraform.Roles["lambda_sweep"]], bucketArn, terraform.BucketPolicy));

        var sweepRole = terraform.Roles["lambda_sweep"];
        var table = terraform.Output("table_arn");
        (string Action, string Resource, string? Prefix)[] never =
        [
            ("dynamodb:PutItem", table, null), ("dynamodb:GetItem", table, null), ("dynamodb:DeleteItem", table, null),
            ("s3:PutObject", $"{bucketArn}/avatars/x.png", null), ("s3:GetObject", $"{bucketArn}/avatars/x.png", null),
            ("s3:DeleteObject", $"{bucketArn}/other/x.png", null), ("s3:ListBucket", bucketArn, null), ("s3:ListBucket", bucketArn, "other/"),
        ];
        var decisions = await IamSimulator.EvaluateAsync([.. never.Select(n => new IamCase(sweepRole.SessionArn, n.Action, n.Resource, sweepRole.Policies, Context: n.Prefix is null
            ? new Dictionary<string, object> { ["aws:SecureTransport"] = "true" }
            : new Dictionary<string, object> { ["aws:SecureTransport"] = "true", ["s3:prefix"] = n.Prefix }))]);
        Assert.All(decisions, d => Assert.False(d.Allowed, $"the sweep role allows {d.Case.Action} on {d.Case.Resource}"));
    }

    [Fact]
    [Step(8)]
    public void Every_grant_of_the_workload_roles_is_used_by_some_path_or_explained()
    {
        Assert.True(terraform.Recordings.ContainsKey("kestrel") && terraform.Recordings.ContainsKey("lambda"), "both hosts' recordings are needed (steps 5 and 6)");
        var calls = terraform.Recordings.Where(r => !r.Key.StartsWith("sweep-", StringComparison.Ordinal)).SelectMany(r => r.Value).Where(c => c.Authenticated).ToList();
        var unused = LeastPrivilege.UnusedGrants(WorkloadRoles.SelectMany(r => r.Policies).DistinctBy(p => p.Name), calls, UsedOutsideTheApp);
        Assert.True(unused.Count == 0, "granted but never used by any recorded path (remove it, or say why it is needed):\n" + string.Join('\n', unused));

        Assert.True(terraform.Recordings.TryGetValue("sweep-lambda", out var sweep), "the sweep function's recording is needed (step 7)");
        var unusedBySweep = LeastPrivilege.UnusedGrants(terraform.Roles["lambda_sweep"].Policies, [.. sweep.Where(c => c.Authenticated)], UsedOutsideTheApp);
        Assert.True(unusedBySweep.Count == 0, "granted to the sweep role but never used by the sweep function:\n" + string.Join('\n', unusedBySweep));
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
