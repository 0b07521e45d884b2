using Users.Terraform.Tests.Deploy;
using Users.Terraform.Tests.Iam;
using Users.Terraform.Tests.Infrastructure;

namespace Users.Terraform.Tests;

/// <summary>
/// The deploy role, proven per resource: every request a release makes (`sam deploy` of template.yaml and of
/// template-rest.yaml, resource by resource from the CloudFormation handler permissions; the image push; the cluster
/// lookup before `helm upgrade`) is evaluated against the deploy role's policy as IAM holds it, and must be allowed;
/// the same requests on anything but the stack's own resources, or outside CloudFormation, must be refused.
/// </summary>
[Collection(TerraformOnMotoDefinition.Name)]
public sealed class DeployRoleTests(TerraformOnMoto terraform)
{
    private SamDeployment Release => new(
        "users-api", TerraformOnMoto.Region, IamSimulator.Account, terraform.Output("sam_artifact_bucket"), terraform.Output("lambda_role_arn"), terraform.Output("lambda_sweep_role_arn"),
        $"arn:aws:ecr:{TerraformOnMoto.Region}:{IamSimulator.Account}:repository/users-api", TerraformOnMoto.ClusterName);

    [Theory]
    [InlineData("template.yaml")]
    [InlineData("template-rest.yaml")]
    public async Task Every_request_of_a_release_is_allowed(string template)
    {
        var (calls, unmapped) = await Release.CallsAsync(template);
        Assert.True(unmapped.Count == 0, "handler permissions with no resource worked out (map them, or list them as not used):\n" + string.Join('\n', unmapped));
        calls.AddRange(Release.ApiGatewayTagging(template));
        Assert.Contains(calls, c => c.Action == "lambda:PutFunctionConcurrency"); // ReservedConcurrentExecutions
        Assert.Contains(calls, c => c.Action == "sns:CreateTopic");
        Assert.Contains(calls, c => c.Action == "cloudwatch:PutMetricAlarm");
        Assert.Contains(calls, c => c.Action == "cloudwatch:PutDashboard");
        Assert.Contains(calls, c => c.Action == "events:PutRule"); // the sweep function's schedule
        Assert.Contains(calls, c => c.Action == "iam:PassRole" && c.Resource == terraform.Output("lambda_sweep_role_arn"));

        var refused = await RefusedAsync(calls);
        Assert.True(refused.Count == 0, $"a release of {template} would be refused {refused.Count} request(s):\n" + string.Join('\n', refused));
    }

    public static TheoryData<string, string, string, bool> Broader => new()
    {
        { "a function of another stack, through CloudFormation", "lambda:CreateFunction", $"arn:aws:lambda:us-east-1:{IamSimulator.Account}:function:other-stack-Fn-AbCdEf012345", true },
        { "this stack's function, outside CloudFormation", "lambda:UpdateFunctionCode", $"arn:aws:lambda:us-east-1:{IamSimulator.Account}:function:users-api-UsersApiFunction-AbCdEf012345", false },
        { "another stack's change set", "cloudformation:CreateChangeSet", $"arn:aws:cloudformation:us-east-1:{IamSimulator.Account}:stack/other/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab", false },
        { "another topic", "sns:CreateTopic", $"arn:aws:sns:us-east-1:{IamSimulator.Account}:other-topic", true },
        { "another alarm", "cloudwatch:PutMetricAlarm", $"arn:aws:cloudwatch:us-east-1:{IamSimulator.Account}:alarm:billing", true },
        { "another dashboard", "cloudwatch:DeleteDashboards", $"arn:aws:cloudwatch::{IamSimulator.Account}:dashboard/ops", true },
        { "this stack's topic, outside CloudFormation", "sns:DeleteTopic", $"arn:aws:sns:us-east-1:{IamSimulator.Account}:users-api-AlarmTopic-AbCdEf012345", false },
        { "another repository", "ecr:PutImage", $"arn:aws:ecr:us-east-1:{IamSimulator.Account}:repository/other", false },
        { "another cluster", "eks:DescribeCluster", $"arn:aws:eks:us-east-1:{IamSimulator.Account}:cluster/other", false },
        { "the avatars bucket", "s3:PutObject", "arn:aws:s3:::users-avatars/avatars/x.png", false },
        { "the users table", "dynamodb:DeleteTable", $"arn:aws:dynamodb:us-east-1:{IamSimulator.Account}:table/users", true },
        { "another role", "iam:PassRole", $"arn:aws:iam::{IamSimulator.Account}:role/admin", true },
        { "another schedule", "events:PutRule", $"arn:aws:events:us-east-1:{IamSimulator.Account}:rule/other-stack-Nightly-AbCdEf012345", true },
        { "this stack's schedule, outside CloudFormation", "events:PutTargets", $"arn:aws:events:us-east-1:{IamSimulator.Account}:rule/users-api-UsersSweepFunctionSchedule-AbCdEf012345", false },
    };

    [Theory]
    [MemberData(nameof(Broader))]
    public async Task A_broader_resource_is_refused(string what, string action, string resource, bool viaCloudFormation)
    {
        var call = new DeployCall(what, action, resource, viaCloudFormation,
            action == "iam:PassRole" ? new Dictionary<string, object> { ["iam:PassedToService"] = "lambda.amazonaws.com" } : null);
        var decision = Assert.Single(await IamSimulator.EvaluateAsync([Case(call)]));
        Assert.True(decision.Decision is "ImplicitlyDenied" or "ExplicitlyDenied", $"{what}: {action} on {resource} is {decision.Decision}{decision.Errors}");
    }

    [Theory]
    [InlineData("lambda_role_arn")]
    [InlineData("lambda_sweep_role_arn")]
    public async Task The_lambda_roles_are_passed_to_lambda_only(string role)
    {
        var call = new DeployCall("a Lambda role to EC2", "iam:PassRole", terraform.Output(role), true, new Dictionary<string, object> { ["iam:PassedToService"] = "ec2.amazonaws.com" });
        Assert.False(Assert.Single(await IamSimulator.EvaluateAsync([Case(call)])).Allowed);
    }

    private IamCase Case(DeployCall call)
    {
        var role = terraform.Roles["deploy"];
        // The evaluator's catalogue cannot match API Gateway's paths (the V2 /apis ones are missing, stages and deployments
        // list both versions' patterns as one): API Gateway requests are evaluated by the same engine, unvalidated.
        return new IamCase(role.SessionArn, call.Action, call.Resource, role.Policies, Context: SamDeployment.Context(call),
            Unvalidated: call.Action.StartsWith("apigateway:", StringComparison.Ordinal));
    }

    private async Task<List<string>> RefusedAsync(IReadOnlyList<DeployCall> calls)
    {
        var distinct = calls.DistinctBy(c => (c.Action, c.Resource, c.ViaCloudFormation)).ToList();
        var decisions = await IamSimulator.EvaluateAsync([.. distinct.Select(Case)]);
        return [.. decisions
            .Where(d => !d.Allowed || d.IgnoredContextKeys.Count > 0)
            .Select(d =>
            {
                var call = distinct[decisions.ToList().IndexOf(d)];
                return $"{call.Action} on {call.Resource}{(call.ViaCloudFormation ? " (via CloudFormation)" : string.Empty)} is {d.Decision} for {terraform.Roles["deploy"].Name}: {call.Why}"
                    + (d.IgnoredContextKeys.Count > 0 ? $"; ignored context keys {string.Join(", ", d.IgnoredContextKeys)}" : string.Empty) + (d.Errors is null ? string.Empty : $"; {d.Errors}");
            })];
    }
}
