using Users.Terraform.Tests.Iam;
using Users.Terraform.Tests.Infrastructure;

namespace Users.Terraform.Tests;

/// <summary>
/// Each role's trust policy, as IAM holds it, evaluated against the caller it is for (allowed) and its near misses
/// (refused): another account, cluster, namespace or service account for Pod Identity; another service account,
/// audience or cluster for IRSA; another workflow, a branch, a pull request, another repository or environment for
/// the release's deploy role; another service for the Lambda role.
/// </summary>
[Collection(TerraformOnMotoDefinition.Name)]
public sealed class TrustPolicyTests(TerraformOnMoto terraform)
{
    private const string Account = IamSimulator.Account;
    private const string OtherAccount = "210987654321";
    private const string GitHub = "token.actions.githubusercontent.com";

    public static TheoryData<string, string, string, string, string, string, bool> PodIdentity => new()
    {
        // what, action, source account, source cluster ARN, namespace tag, service account tag, allowed
        { "the app's service account on the cluster", "sts:AssumeRole", Account, Cluster(Account, TerraformOnMoto.ClusterName), "users", "users-api", true },
        { "the app's service account on the cluster (session tags)", "sts:TagSession", Account, Cluster(Account, TerraformOnMoto.ClusterName), "users", "users-api", true },
        { "another account", "sts:AssumeRole", OtherAccount, Cluster(OtherAccount, TerraformOnMoto.ClusterName), "users", "users-api", false },
        { "another cluster of this account", "sts:AssumeRole", Account, Cluster(Account, "other"), "users", "users-api", false },
        { "another namespace", "sts:AssumeRole", Account, Cluster(Account, TerraformOnMoto.ClusterName), "default", "users-api", false },
        { "another service account", "sts:AssumeRole", Account, Cluster(Account, TerraformOnMoto.ClusterName), "users", "default", false },
        { "another service account (session tags)", "sts:TagSession", Account, Cluster(Account, TerraformOnMoto.ClusterName), "users", "default", false },
    };

    [Theory]
    [MemberData(nameof(PodIdentity))]
    public async Task Pod_identity(string what, string action, string sourceAccount, string sourceArn, string ns, string serviceAccount, bool allowed)
    {
        var context = new Dictionary<string, object>
        {
            ["aws:SourceAccount"] = sourceAccount,
            ["aws:SourceArn"] = sourceArn,
            ["aws:RequestTag/kubernetes-namespace"] = ns,
            ["aws:RequestTag/kubernetes-service-account"] = serviceAccount,
            ["aws:TagKeys"] = new[] { "kubernetes-namespace", "kubernetes-service-account" },
        };
        await AssertTrustAsync("pod_identity", what, "pods.eks.amazonaws.com", action, context, allowed);
    }

    [Fact]
    public async Task Pod_identity_without_the_agents_session_tags_is_refused() =>
        await AssertTrustAsync("pod_identity", "no session tags", "pods.eks.amazonaws.com", "sts:AssumeRole",
            new Dictionary<string, object> { ["aws:SourceAccount"] = Account, ["aws:SourceArn"] = Cluster(Account, TerraformOnMoto.ClusterName) }, allowed: false);

    public static TheoryData<string, string, string, bool> Irsa => new()
    {
        { "the app's service account", "system:serviceaccount:users:users-api", "sts.amazonaws.com", true },
        { "another service account", "system:serviceaccount:users:default", "sts.amazonaws.com", false },
        { "another namespace", "system:serviceaccount:default:users-api", "sts.amazonaws.com", false },
        { "another audience", "system:serviceaccount:users:users-api", "other.example.com", false },
    };

    [Theory]
    [MemberData(nameof(Irsa))]
    public async Task Irsa_trust(string what, string subject, string audience, bool allowed)
    {
        var issuer = TerraformOnMoto.OidcIssuer["https://".Length..];
        await AssertTrustAsync("irsa", what, terraform.Output("oidc_provider_arn"), "sts:AssumeRoleWithWebIdentity",
            new Dictionary<string, object> { [$"{issuer}:sub"] = subject, [$"{issuer}:aud"] = audience }, allowed);
    }

    [Fact]
    public async Task Irsa_from_another_clusters_provider_is_refused()
    {
        const string Other = "oidc.eks.us-east-1.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
        await AssertTrustAsync("irsa", "another cluster's issuer", $"arn:aws:iam::{Account}:oidc-provider/{Other}", "sts:AssumeRoleWithWebIdentity",
            new Dictionary<string, object> { [$"{Other}:sub"] = "system:serviceaccount:users:users-api", [$"{Other}:aud"] = "sts.amazonaws.com" }, allowed: false);
    }

    public static TheoryData<string, string, string, bool> Release => new()
    {
        // what, sub, job_workflow_ref, allowed
        { "the release workflow at a release tag", $"repo:{TerraformOnMoto.GitHubRepository}:environment:production", $"{TerraformOnMoto.GitHubRepository}/.github/workflows/release.yml@refs/tags/v1.2.3", true },
        { "another workflow that declares the environment", $"repo:{TerraformOnMoto.GitHubRepository}:environment:production", $"{TerraformOnMoto.GitHubRepository}/.github/workflows/ci.yml@refs/tags/v1.2.3", false },
        { "the release workflow run on a branch", $"repo:{TerraformOnMoto.GitHubRepository}:environment:production", $"{TerraformOnMoto.GitHubRepository}/.github/workflows/release.yml@refs/heads/main", false },
        { "a tag that is not a release", $"repo:{TerraformOnMoto.GitHubRepository}:environment:production", $"{TerraformOnMoto.GitHubRepository}/.github/workflows/release.yml@refs/tags/nightly", false },
        { "a pull request", $"repo:{TerraformOnMoto.GitHubRepository}:pull_request", $"{TerraformOnMoto.GitHubRepository}/.github/workflows/release.yml@refs/pull/7/merge", false },
        { "another environment", $"repo:{TerraformOnMoto.GitHubRepository}:environment:staging", $"{TerraformOnMoto.GitHubRepository}/.github/workflows/release.yml@refs/tags/v1.2.3", false },
        { "another repository's release workflow", "repo:someone/users-api:environment:production", "someone/users-api/.github/workflows/release.yml@refs/tags/v1.2.3", false },
    };

    [Theory]
    [MemberData(nameof(Release))]
    public async Task Release_role_trust(string what, string subject, string workflowRef, bool allowed) =>
        await AssertTrustAsync("deploy", what, $"arn:aws:iam::{Account}:oidc-provider/{GitHub}", "sts:AssumeRoleWithWebIdentity",
            new Dictionary<string, object> { [$"{GitHub}:aud"] = "sts.amazonaws.com", [$"{GitHub}:sub"] = subject, [$"{GitHub}:job_workflow_ref"] = workflowRef }, allowed);

    [Theory]
    [InlineData("lambda.amazonaws.com", true)]
    [InlineData("ec2.amazonaws.com", false)]
    [InlineData("pods.eks.amazonaws.com", false)]
    public async Task Lambda_role_trust(string service, bool allowed) =>
        await AssertTrustAsync("lambda", service, service, "sts:AssumeRole", new Dictionary<string, object>(), allowed);

    private static string Cluster(string account, string name) => $"arn:aws:eks:{TerraformOnMoto.Region}:{account}:cluster/{name}";

    private async Task AssertTrustAsync(string role, string what, string principal, string action, Dictionary<string, object> context, bool allowed)
    {
        var trusted = terraform.Roles[role];
        var decision = Assert.Single(await IamSimulator.EvaluateAsync([new IamCase(principal, action, trusted.Arn, [], trusted.Trust, context, Unvalidated: true)]));
        Assert.True(decision.Allowed == allowed, $"{trusted.Name}: {what} ({action} by {principal}) must be {(allowed ? "allowed" : "refused")}, was {decision.Decision}{decision.Errors}");
    }
}
