using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2.Model;
using Users.Api.Tests.Infrastructure;
using Users.Terraform.Tests.Infrastructure;

namespace Users.Terraform.Tests;

/// <summary>
/// The configuration as `terraform apply` left it on moto, read back through the AWS APIs, in the order a user lives it:
/// every setting (steps 1), a second plan with nothing to do (2), the example tfvars (3), the plain-HTTP emulator mode
/// (4), the app on it (5–6: <see cref="LeastPrivilegeTests"/>), and the teardown (9). Each step reads what the one
/// before left; the IAM documents the other classes evaluate were read right after the apply.
/// </summary>
[Collection(TerraformOnMotoDefinition.Name)]
[TestCaseOrderer(StepOrderer.TypeName, StepOrderer.AssemblyName)]
public sealed partial class AppliedTerraformTests(TerraformOnMoto terraform)
{
    private const string Account = "123456789012";
    private const string GitHubProvider = $"arn:aws:iam::{Account}:oidc-provider/token.actions.githubusercontent.com";

    private string Table => terraform.Output("table_name");

    private string Bucket => terraform.Output("bucket_name");

    // ---- 1. every setting, as the AWS APIs report it -------------------------------------------------------------

    [Fact]
    [Step(1)]
    public void Apply_creates_the_table_and_bucket_named_in_the_outputs()
    {
        Assert.Matches("^Apply complete! Resources: [1-9][0-9]* added, 0 changed, 0 destroyed\\.", ApplyLine().Match(terraform.ApplyLog).Value);
        Assert.Equal("users", Table);
        Assert.Equal("users-avatars", Bucket);
    }

    [Fact]
    [Step(1)]
    public async Task Table_is_keyed_by_email_on_demand_encrypted_protected_and_recoverable()
    {
        using var storage = Storage();
        var table = (await storage.DynamoDb.DescribeTableAsync(Table)).Table;
        Assert.Equal([("email", "HASH")], table.KeySchema.Select(k => (k.AttributeName, k.KeyType.Value)));
        Assert.Equal([("email", "S")], table.AttributeDefinitions.Select(a => (a.AttributeName, a.AttributeType.Value)));
        Assert.Equal("PAY_PER_REQUEST", table.BillingModeSummary.BillingMode.Value);
        Assert.Equal(("ENABLED", "KMS"), (table.SSEDescription.Status.Value, table.SSEDescription.SSEType.Value));
        Assert.True(table.DeletionProtectionEnabled);
        var backups = await storage.DynamoDb.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = Table });
        Assert.Equal("ENABLED", backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus.Value);
    }

    [Fact]
    [Step(1)]
    public async Task Bucket_is_private_owner_enforced_encrypted_versioned_and_pruned()
    {
        Assert.Equal("[true,true,true,true]", PublicAccessBlock(await terraform.AwsAsync("s3api", "get-public-access-block", "--bucket", Bucket)));
        Assert.Equal(["BucketOwnerEnforced"], (await terraform.AwsAsync("s3api", "get-bucket-ownership-controls", "--bucket", Bucket))
            .GetProperty("OwnershipControls").GetProperty("Rules").EnumerateArray().Select(r => r.GetProperty("ObjectOwnership").GetString()));
        Assert.Equal("AES256", (await terraform.AwsAsync("s3api", "get-bucket-encryption", "--bucket", Bucket))
            .GetProperty("ServerSideEncryptionConfiguration").GetProperty("Rules")[0].GetProperty("ApplyServerSideEncryptionByDefault").GetProperty("SSEAlgorithm").GetString());
        Assert.Equal("Enabled", (await terraform.AwsAsync("s3api", "get-bucket-versioning", "--bucket", Bucket)).GetProperty("Status").GetString());
        var rules = (await terraform.AwsAsync("s3api", "get-bucket-lifecycle-configuration", "--bucket", Bucket)).GetProperty("Rules").EnumerateArray()
            .Where(r => r.GetProperty("Status").GetString() == "Enabled").ToList();
        Assert.Equal([30], rules.Where(r => r.TryGetProperty("NoncurrentVersionExpiration", out _)).Select(r => r.GetProperty("NoncurrentVersionExpiration").GetProperty("NoncurrentDays").GetInt32()));
        Assert.Equal([7], rules.Where(r => r.TryGetProperty("AbortIncompleteMultipartUpload", out _)).Select(r => r.GetProperty("AbortIncompleteMultipartUpload").GetProperty("DaysAfterInitiation").GetInt32()));
    }

    [Fact]
    [Step(1)]
    public void Bucket_policy_denies_plain_http_and_old_tls_and_allows_nothing()
    {
        var statements = Iam.PolicyDocument.Statements(terraform.BucketPolicy!).ToList();
        string[] resources = [$"arn:aws:s3:::{Bucket}", $"arn:aws:s3:::{Bucket}/*"];
        bool Denies(JsonNode s) => s["Effect"]!.GetValue<string>() == "Deny" && s["Principal"]!.ToJsonString() == "\"*\"" && s["Action"]!.GetValue<string>() == "s3:*"
            && Iam.PolicyDocument.Strings(s["Resource"]).Order(StringComparer.Ordinal).SequenceEqual(resources);
        Assert.Single(statements, s => Denies(s) && s["Condition"]?["Bool"]?["aws:SecureTransport"]?.GetValue<string>() == "false");
        Assert.Single(statements, s => Denies(s) && s["Condition"]?["NumericLessThan"]?["s3:TlsVersion"]?.ToString() == "1.2");
        Assert.DoesNotContain(statements, s => s["Effect"]!.GetValue<string>() != "Deny");
    }

    [Fact]
    [Step(1)]
    public async Task Alarms_notify_the_topic_and_the_dashboard_exists()
    {
        var topic = terraform.Output("alarm_topic_arn");
        var alarms = (await terraform.AwsAsync("cloudwatch", "describe-alarms", "--alarm-name-prefix", $"{Table}-dynamodb-")).GetProperty("MetricAlarms").EnumerateArray().ToList();
        Assert.Equal(
            ["ReadThrottleEvents ", "SystemErrors PutItem", "SystemErrors Scan", "WriteThrottleEvents "],
            alarms.Select(a => $"{a.GetProperty("MetricName").GetString()} {string.Concat(a.GetProperty("Dimensions").EnumerateArray().Where(d => d.GetProperty("Name").GetString() == "Operation").Select(d => d.GetProperty("Value").GetString()))}").Order(StringComparer.Ordinal));
        Assert.All(alarms, a =>
        {
            Assert.Equal([topic], a.GetProperty("AlarmActions").EnumerateArray().Select(x => x.GetString()));
            Assert.Equal([topic], a.GetProperty("OKActions").EnumerateArray().Select(x => x.GetString()));
        });
        Assert.Equal(topic, (await terraform.AwsAsync("sns", "get-topic-attributes", "--topic-arn", topic)).GetProperty("Attributes").GetProperty("TopicArn").GetString());
        var dashboard = await terraform.AwsAsync("cloudwatch", "get-dashboard", "--dashboard-name", $"{Table}-data-stores");
        Assert.Equal(4, JsonDocument.Parse(dashboard.GetProperty("DashboardBody").GetString()!).RootElement.GetProperty("widgets").GetArrayLength());
    }

    [Fact]
    [Step(1)]
    public void App_policy_grants_exactly_what_the_code_calls_with_no_deny_or_negation()
    {
        var app = terraform.Roles["irsa"].Policies.Single(p => p.Name == terraform.Output("app_policy_arn"));
        var tableArn = terraform.Output("table_arn");
        var bucketArn = $"arn:aws:s3:::{Bucket}";
        Assert.Equal(
            new[]
            {
                $"dynamodb:DescribeTable {tableArn}", $"dynamodb:GetItem {tableArn}", $"dynamodb:PutItem {tableArn}", $"dynamodb:Scan {tableArn}",
                $"s3:DeleteObject {bucketArn}/avatars/*", $"s3:GetObject {bucketArn}/avatars/*", $"s3:PutObject {bucketArn}/avatars/*", $"s3:ListBucket {bucketArn}",
            }.Order(StringComparer.Ordinal),
            app.AllowedPairs().Select(p => $"{p.Action} {p.Resource}").Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Iam.PolicyDocument.Statements(app.Document), s => s["Effect"]!.GetValue<string>() != "Allow" || s["NotAction"] is not null || s["NotResource"] is not null);
    }

    [Fact]
    [Step(1)]
    public async Task Irsa_trusts_the_clusters_oidc_provider_for_the_apps_service_account_only()
    {
        var hostPath = TerraformOnMoto.OidcIssuer["https://".Length..];
        var provider = await terraform.AwsAsync("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", terraform.Output("oidc_provider_arn"));
        Assert.Equal(hostPath, provider.GetProperty("Url").GetString()!.Replace("https://", string.Empty, StringComparison.Ordinal));
        Assert.Equal(["sts.amazonaws.com"], provider.GetProperty("ClientIDList").EnumerateArray().Select(c => c.GetString()));

        var irsa = terraform.Roles["irsa"];
        AssertJson(
            new JsonArray(new JsonObject
            {
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Federated"] = terraform.Output("oidc_provider_arn") },
                ["Action"] = "sts:AssumeRoleWithWebIdentity",
                ["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { [$"{hostPath}:sub"] = "system:serviceaccount:users:users-api", [$"{hostPath}:aud"] = "sts.amazonaws.com" } },
            }),
            Without(irsa.Trust["Statement"]!, "Sid"));
        Assert.Equal([terraform.Output("app_policy_arn")], irsa.AttachedPolicyArns);
        Assert.Empty(irsa.InlinePolicyNames);
    }

    [Fact]
    [Step(1)]
    public void Pod_identity_trusts_the_eks_agent_for_this_account_cluster_and_service_account_only()
    {
        var pod = terraform.Roles["pod_identity"];
        AssertJson(
            new JsonArray(new JsonObject
            {
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Service"] = "pods.eks.amazonaws.com" },
                ["Action"] = new JsonArray("sts:AssumeRole", "sts:TagSession"),
                ["Condition"] = new JsonObject
                {
                    ["StringEquals"] = new JsonObject
                    {
                        ["aws:SourceAccount"] = Account,
                        ["aws:RequestTag/kubernetes-namespace"] = "users",
                        ["aws:RequestTag/kubernetes-service-account"] = "users-api",
                    },
                    ["ArnLike"] = new JsonObject { ["aws:SourceArn"] = $"arn:aws:eks:us-east-1:{Account}:cluster/{TerraformOnMoto.ClusterName}" },
                },
            }),
            Without(pod.Trust["Statement"]!, "Sid"));
        Assert.Equal([terraform.Output("app_policy_arn")], pod.AttachedPolicyArns);
        Assert.Empty(pod.InlinePolicyNames);
    }

    [Theory]
    [Step(1)]
    [InlineData("lambda")]
    [InlineData("lambda_sweep")]
    public void Lambda_roles_are_trusted_by_lambda_and_write_only_their_logs_and_traces(string role)
    {
        var lambda = terraform.Roles[role];
        AssertJson(
            new JsonArray(new JsonObject { ["Effect"] = "Allow", ["Principal"] = new JsonObject { ["Service"] = "lambda.amazonaws.com" }, ["Action"] = "sts:AssumeRole" }),
            Without(lambda.Trust["Statement"]!, "Sid"));
        // The API function's role carries the app policy; the sweep's, the sweep policy (its grants: step 7).
        Assert.Equal([role == "lambda" ? terraform.Output("app_policy_arn") : $"arn:aws:iam::{Account}:policy/users-api-sweep"], lambda.AttachedPolicyArns);
        var logs = $"arn:aws:logs:us-east-1:{Account}:log-group:/aws/lambda/*";
        Assert.Equal(
            new[] { $"logs:CreateLogGroup {logs}", $"logs:CreateLogStream {logs}:log-stream:*", $"logs:PutLogEvents {logs}:log-stream:*", "xray:PutTelemetryRecords *", "xray:PutTraceSegments *" },
            lambda.Policies.Single(p => p.Name.EndsWith("/logs-and-traces", StringComparison.Ordinal)).AllowedPairs().Select(p => $"{p.Action} {p.Resource}").Order(StringComparer.Ordinal));
    }

    [Fact]
    [Step(1)]
    public void Outputs_plug_into_sam_and_helm()
    {
        Assert.Equal(
            $"UsersTableName={Table} AvatarsBucketName={Bucket} LambdaRoleArn={terraform.Output("lambda_role_arn")} SweepRoleArn={terraform.Output("lambda_sweep_role_arn")}",
            terraform.Output("sam_parameter_overrides"));
        Assert.Equal(
            $"--set serviceAccount.roleArn={terraform.Output("irsa_role_arn")} --set config.usersTableName={Table} --set config.avatarsBucketName={Bucket} --set config.awsRegion=us-east-1",
            terraform.Output("helm_set_flags"));
    }

    [Fact]
    [Step(1)]
    public async Task Ecr_repository_is_immutable_scanned_encrypted_and_pruned()
    {
        var repository = (await terraform.AwsAsync("ecr", "describe-repositories", "--repository-names", "users-api")).GetProperty("repositories")[0];
        Assert.Equal("IMMUTABLE", repository.GetProperty("imageTagMutability").GetString());
        Assert.True(repository.GetProperty("imageScanningConfiguration").GetProperty("scanOnPush").GetBoolean());
        Assert.Equal("KMS", repository.GetProperty("encryptionConfiguration").GetProperty("encryptionType").GetString());
        Assert.Equal(repository.GetProperty("repositoryUri").GetString(), terraform.Output("ecr_repository_url"));
        var lifecycle = JsonDocument.Parse((await terraform.AwsAsync("ecr", "get-lifecycle-policy", "--repository-name", "users-api")).GetProperty("lifecyclePolicyText").GetString()!).RootElement;
        Assert.Equal(
            ["untagged [] sinceImagePushed 14 expire", "tagged [v] imageCountMoreThan 50 expire"],
            lifecycle.GetProperty("rules").EnumerateArray().Select(r =>
            {
                var s = r.GetProperty("selection");
                var prefixes = s.TryGetProperty("tagPrefixList", out var p) ? string.Join(',', p.EnumerateArray().Select(x => x.GetString())) : string.Empty;
                return $"{s.GetProperty("tagStatus").GetString()} [{prefixes}] {s.GetProperty("countType").GetString()} {s.GetProperty("countNumber").GetInt32()} {r.GetProperty("action").GetProperty("type").GetString()}";
            }));
    }

    [Fact]
    [Step(1)]
    public async Task Deploy_role_is_assumable_by_the_release_workflow_at_a_tag_only()
    {
        var provider = await terraform.AwsAsync("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", GitHubProvider);
        Assert.Equal("token.actions.githubusercontent.com", provider.GetProperty("Url").GetString()!.Replace("https://", string.Empty, StringComparison.Ordinal));
        Assert.Equal(["sts.amazonaws.com"], provider.GetProperty("ClientIDList").EnumerateArray().Select(c => c.GetString()));
        var deploy = terraform.Roles["deploy"];
        AssertJson(
            new JsonArray(new JsonObject
            {
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Federated"] = GitHubProvider },
                ["Action"] = "sts:AssumeRoleWithWebIdentity",
                ["Condition"] = new JsonObject
                {
                    ["StringEquals"] = new JsonObject
                    {
                        ["token.actions.githubusercontent.com:aud"] = "sts.amazonaws.com",
                        ["token.actions.githubusercontent.com:sub"] = $"repo:{TerraformOnMoto.GitHubRepository}:environment:production",
                    },
                    ["StringLike"] = new JsonObject
                    {
                        ["token.actions.githubusercontent.com:job_workflow_ref"] = $"{TerraformOnMoto.GitHubRepository}/.github/workflows/release.yml@refs/tags/v*",
                    },
                },
            }),
            Without(deploy.Trust["Statement"]!, "Sid"));
        Assert.Single(deploy.AttachedPolicyArns);
        Assert.Empty(deploy.InlinePolicyNames);
    }

    [Fact]
    [Step(1)]
    public async Task Deploy_policy_names_this_repository_stack_cluster_bucket_and_role_only()
    {
        var policy = terraform.Roles["deploy"].Policies.Single();
        var statements = Iam.PolicyDocument.Statements(policy.Document).ToList();
        JsonNode Sid(string sid) => statements.Single(s => s["Sid"]?.GetValue<string>() == sid);

        Assert.Equal(["ecr:GetAuthorizationToken"], statements.Where(s => Iam.PolicyDocument.Strings(s["Resource"]).Contains("*")).SelectMany(s => Iam.PolicyDocument.Strings(s["Action"])));
        var repository = (await terraform.AwsAsync("ecr", "describe-repositories", "--repository-names", "users-api")).GetProperty("repositories")[0].GetProperty("repositoryArn").GetString();
        Assert.Equal([repository], Iam.PolicyDocument.Strings(Sid("EcrPushThisRepository")["Resource"]));
        Assert.Equal([$"arn:aws:cloudformation:us-east-1:{Account}:stack/users-api/*"], Iam.PolicyDocument.Strings(Sid("SamStack")["Resource"]));
        var passRole = Sid("PassTheLambdaRoleToLambda");
        Assert.Equal([terraform.Output("lambda_role_arn"), terraform.Output("lambda_sweep_role_arn")], Iam.PolicyDocument.Strings(passRole["Resource"]));
        Assert.Equal("lambda.amazonaws.com", passRole["Condition"]!["StringEquals"]!["iam:PassedToService"]!.GetValue<string>());
        Assert.Equal([$"arn:aws:eks:us-east-1:{Account}:cluster/{TerraformOnMoto.ClusterName}"], Iam.PolicyDocument.Strings(Sid("EksDescribeThisCluster")["Resource"]));

        var artifacts = terraform.Output("sam_artifact_bucket");
        Assert.Equal($"users-api-sam-artifacts-{Account}-us-east-1", artifacts);
        Assert.Equal(
            [$"s3:GetObject arn:aws:s3:::{artifacts}/*", $"s3:GetObjectVersion arn:aws:s3:::{artifacts}/*", $"s3:PutObject arn:aws:s3:::{artifacts}/*"],
            policy.AllowedPairs().Where(p => p.Sid == "SamArtifactsObjects").Select(p => $"{p.Action} {p.Resource}").Order(StringComparer.Ordinal));
        Assert.Equal("[true,true,true,true]", PublicAccessBlock(await terraform.AwsAsync("s3api", "get-public-access-block", "--bucket", artifacts)));
        Assert.Equal([90], (await terraform.AwsAsync("s3api", "get-bucket-lifecycle-configuration", "--bucket", artifacts)).GetProperty("Rules").EnumerateArray()
            .Where(r => r.GetProperty("Status").GetString() == "Enabled").Select(r => r.GetProperty("Expiration").GetProperty("Days").GetInt32()));
    }

    [Fact]
    [Step(1)]
    public async Task GitHub_variables_are_exactly_what_the_release_workflow_reads()
    {
        var variables = (await terraform.TerraformAsync("output", "-json", "github_actions_variables")).EnsureSuccess().Json();
        string[] expected = ["AWS_DEPLOY_ROLE_ARN", "AWS_REGION", "ECR_REPOSITORY_URL", "EKS_CLUSTER_NAME", "HELM_SET_FLAGS", "K8S_NAMESPACE", "SAM_ARTIFACT_BUCKET", "SAM_PARAMETER_OVERRIDES", "SAM_STACK_NAME"];
        Assert.Equal(expected, variables.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var release = await File.ReadAllTextAsync(RepoPaths.Of(".github", "workflows", "release.yml"));
        Assert.Equal(expected, VarsUse().Matches(release).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal));
    }

    // ---- 2–4. idempotence, the examples, the plain-HTTP emulator mode ---------------------------------------------

    [Fact]
    [Step(2)]
    public async Task A_second_plan_has_nothing_to_do()
    {
        var plan = await terraform.TerraformAsync(["plan", "-detailed-exitcode", "-input=false", "-no-color", .. terraform.Variables]);
        Assert.True(plan.ExitCode == 0, $"the second plan is not empty (exit {plan.ExitCode}):\n{plan.StdOut}\n{plan.StdErr}");
    }

    [Theory]
    [Step(3)]
    [InlineData("aws.tfvars")]
    [InlineData("localstack.tfvars")]
    public async Task Each_example_tfvars_plans(string example)
    {
        Assert.Equal(
            Directory.GetFiles(RepoPaths.Of("terraform", "examples"), "*.tfvars").Select(Path.GetFileName).Order(StringComparer.Ordinal),
            ["aws.tfvars", "localstack.tfvars"]);
        var plan = await terraform.TerraformAsync(
            "plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-detailed-exitcode", $"-var-file=examples/{example}", "-var", $"aws_endpoint_url={terraform.Endpoint.ToString().TrimEnd('/')}");
        Assert.True(plan.ExitCode != 1, $"plan with {example} failed:\n{plan.StdErr}");
    }

    /// <summary>
    /// moto evaluates the bucket policy's TLS Deny statements as matching every request (it supplies no condition keys),
    /// and the emulator speaks plain HTTP: deny_insecure_transport=false drops them, as scripts/provision-local.sh does.
    /// </summary>
    [Fact]
    [Step(4)]
    public async Task Plain_http_emulator_mode_removes_only_the_two_bucket_policies()
    {
        var apply = (await terraform.ApplyAsync("-var", "deny_insecure_transport=false")).EnsureSuccess();
        Assert.Equal("Apply complete! Resources: 0 added, 0 changed, 2 destroyed.", ApplyLine().Match(apply.StdOut).Value);
        // The specific error S3 gives a bucket without a policy: any other failure (a wrong bucket, no endpoint) is not it.
        var read = await terraform.AwsRawAsync("s3api", "get-bucket-policy", "--bucket", Bucket);
        Assert.True(read.ExitCode != 0 && read.StdErr.Contains("(NoSuchBucketPolicy)", StringComparison.Ordinal), $"expected NoSuchBucketPolicy, got exit {read.ExitCode}: {read.StdErr}{read.StdOut}");
    }

    // ---- 9. teardown -----------------------------------------------------------------------------------------------

    [Fact]
    [Step(9)]
    public async Task Teardown_unprotects_then_destroys_everything()
    {
        string[] vars = ["-var", "deny_insecure_transport=false", "-var", "deletion_protection=false"];
        (await terraform.ApplyAsync(vars)).EnsureSuccess();
        using var storage = Storage();
        Assert.False((await storage.DynamoDb.DescribeTableAsync(Table)).Table.DeletionProtectionEnabled);

        // The app left hundreds of object versions and delete markers: the provider's force_destroy empties a bucket
        // against AWS, but against moto it pages through them without end. Emptied here, version by version.
        await EmptyVersionedBucketAsync(storage);
        var destroy = (await terraform.TerraformAsync(["destroy", "-auto-approve", "-input=false", "-no-color", .. terraform.Variables, .. vars])).EnsureSuccess();
        Assert.Contains("Destroy complete!", destroy.StdOut, StringComparison.Ordinal);
        Assert.Empty((await storage.DynamoDb.ListTablesAsync()).TableNames);
        Assert.Empty((await storage.S3.ListBucketsAsync()).Buckets ?? []);
        Assert.DoesNotContain((await terraform.AwsAsync("iam", "list-roles")).GetProperty("Roles").EnumerateArray(), r => r.GetProperty("RoleName").GetString()!.StartsWith("users-api-", StringComparison.Ordinal));
        Assert.Empty((await terraform.AwsAsync("ecr", "describe-repositories")).GetProperty("repositories").EnumerateArray());
    }

    private async Task EmptyVersionedBucketAsync(AwsTestStorage storage)
    {
        while (true)
        {
            var versions = await storage.S3.ListVersionsAsync(new Amazon.S3.Model.ListVersionsRequest { BucketName = Bucket });
            if (versions.Versions is not { Count: > 0 } page)
            {
                return;
            }

            foreach (var version in page)
            {
                await storage.S3.DeleteObjectAsync(new Amazon.S3.Model.DeleteObjectRequest { BucketName = Bucket, Key = version.Key, VersionId = version.VersionId });
            }
        }
    }

    internal static void AssertJson(JsonNode expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(Sorted(expected), Sorted(actual)), $"expected {Sorted(expected).ToJsonString()}\n  actual {Sorted(actual).ToJsonString()}");

    private static JsonNode Without(JsonNode statements, string property)
    {
        var copy = statements.DeepClone();
        foreach (var statement in copy.AsArray().OfType<JsonObject>())
        {
            statement.Remove(property);
        }

        return copy;
    }

    /// <summary>Object keys sorted (IAM returns them in its own order), arrays as they are.</summary>
    private static JsonNode Sorted(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Sorted(p.Value!)))),
        JsonArray a => new JsonArray([.. a.Select(x => Sorted(x!))]),
        _ => node.DeepClone(),
    };

    private static string PublicAccessBlock(JsonElement response)
    {
        var c = response.GetProperty("PublicAccessBlockConfiguration");
        return $"[{string.Join(',', new[] { "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets" }.Select(k => c.GetProperty(k).GetBoolean() ? "true" : "false"))}]";
    }

    private AwsTestStorage Storage() => new(terraform.Endpoint, Table, Bucket);

    [GeneratedRegex("Apply complete! Resources: .*\\.")]
    private static partial Regex ApplyLine();

    [GeneratedRegex(@"vars\.([A-Z0-9_]+)")]
    private static partial Regex VarsUse();
}
