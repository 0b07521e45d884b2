using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Users.Api.Tests.Infrastructure;
using Users.Terraform.Tests.Iam;
using Users.Terraform.Tests.Recording;

namespace Users.Terraform.Tests.Infrastructure;

/// <summary>
/// The repository's Terraform (terraform/), applied once to a moto_server of its own, as the README's emulator walkthrough
/// does, with the delivery resources on: the state every test of the "terraform" collection reads. After the apply, every
/// role Terraform made is read back through the IAM API (trust policy, attached and inline policies) into
/// <see cref="Roles"/>, so the IAM tests evaluate what IAM holds, not what the .tf files say.
/// State and the Terraform data dir live in a temp folder; moto and the folder go when the run ends.
/// </summary>
public sealed class TerraformOnMoto : IAsyncLifetime
{
    public const string Region = "us-east-1";
    public const string GitHubRepository = "acme/users-api";
    public const string OidcIssuer = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

    /// <summary>
    /// The cluster the release deploys to and Pod Identity trusts. Only a name here: moto has no EKS Pod Identity API, so
    /// the association itself is left out (create_pod_identity_association=false); plan-mode tests cover it.
    /// </summary>
    public const string ClusterName = "users-eks";

    private readonly string work = Directory.CreateTempSubdirectory("users-tf-tests.").FullName;
    private MotoServer? moto;
    private Dictionary<string, string?> terraformEnvironment = [];

    public Uri Endpoint => moto?.Endpoint ?? throw new InvalidOperationException("not started");

    /// <summary>`terraform output -json` after the first apply.</summary>
    public JsonElement Outputs { get; private set; }

    /// <summary>The first apply's console output.</summary>
    public string ApplyLog { get; private set; } = string.Empty;

    /// <summary>The workload roles (irsa, pod_identity, lambda, lambda_sweep) and the deploy role, as IAM returned them after the apply.</summary>
    public IReadOnlyDictionary<string, RoleSnapshot> Roles { get; private set; } = new Dictionary<string, RoleSnapshot>();

    public IReadOnlyList<string> Variables =>
    [
        "-var", $"aws_endpoint_url={Endpoint.ToString().TrimEnd('/')}",
        "-var", $"oidc_issuer_url={OidcIssuer}",
        "-var", "create_delivery=true",
        "-var", $"github_repository={GitHubRepository}",
        "-var", $"eks_cluster_name={ClusterName}",
        "-var", "create_pod_identity_association=false",
    ];

    /// <summary>The avatars bucket's policy after the first apply (TLS-only Deny statements), as S3 returned it.</summary>
    public JsonNode? BucketPolicy { get; private set; }

    /// <summary>What the app sent to AWS, by host, as the least-privilege tests recorded it.</summary>
    public ConcurrentDictionary<string, IReadOnlyList<AwsCall>> Recordings { get; } = new(StringComparer.Ordinal);

    public string Output(string name) => Outputs.GetProperty(name).GetProperty("value").GetString()
        ?? throw new InvalidOperationException($"output {name} is null");

    public async Task InitializeAsync()
    {
        // The provider mirror and non-interactive settings, exactly as the scripts get them (terraform/tools/cli-env.sh).
        var cliEnv = (await Cli.RunAsync("bash", ["-c", "source terraform/tools/cli-env.sh && tf_cli_env \"$1\" && printf %s \"${TF_CLI_CONFIG_FILE:-}\"", "_", Path.Combine(work, "cli")])).EnsureSuccess();
        terraformEnvironment = new Dictionary<string, string?>
        {
            ["TF_CLI_CONFIG_FILE"] = cliEnv.StdOut.Length > 0 ? cliEnv.StdOut : null,
            ["TF_DATA_DIR"] = Path.Combine(work, "tf-data"), // terraform/.terraform stays untouched
            ["TF_IN_AUTOMATION"] = "1",
            ["TF_INPUT"] = "0",
        };

        moto = MotoServer.Start();
        (await TerraformAsync("init", "-input=false", "-no-color", "-reconfigure", $"-backend-config=path={Path.Combine(work, "terraform.tfstate")}")).EnsureSuccess();
        ApplyLog = (await ApplyAsync()).EnsureSuccess().StdOut;
        Outputs = (await TerraformAsync("output", "-json")).EnsureSuccess().Json();
        Roles = await ReadRolesAsync();
        BucketPolicy = Document((await AwsAsync("s3api", "get-bucket-policy", "--bucket", Output("bucket_name"))).GetProperty("Policy"));
    }

    public async Task DisposeAsync()
    {
        moto?.Dispose();
        await Task.Run(() => Directory.Delete(work, recursive: true));
    }

    /// <summary>`terraform -chdir=terraform ARGS` with this run's state, data dir and provider mirror.</summary>
    public Task<CliResult> TerraformAsync(params string[] args) =>
        Cli.RunAsync("terraform", ["-chdir=terraform", .. args], terraformEnvironment, timeout: TimeSpan.FromMinutes(8));

    /// <summary>`terraform apply` with the run's variables plus <paramref name="extra"/> (-var k=v pairs).</summary>
    public Task<CliResult> ApplyAsync(params string[] extra) =>
        TerraformAsync(["apply", "-auto-approve", "-input=false", "-no-color", .. Variables, .. extra]);

    /// <summary>The aws CLI against this moto, with its JSON output parsed.</summary>
    public async Task<JsonElement> AwsAsync(params string[] args) => (await AwsRawAsync(args)).EnsureSuccess().Json();

    public Task<CliResult> AwsRawAsync(params string[] args) =>
        Cli.RunAsync("aws", ["--endpoint-url", Endpoint.ToString().TrimEnd('/'), "--output", "json", .. args], AwsEnvironment, timeout: TimeSpan.FromMinutes(1));

    private static readonly Dictionary<string, string?> AwsEnvironment = new()
    {
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
        ["AWS_DEFAULT_REGION"] = Region,
        ["AWS_REGION"] = Region,
        ["AWS_SESSION_TOKEN"] = null,
        ["AWS_PROFILE"] = null,
    };

    /// <summary>An IAM document as the API returns it: a JSON object, or its URL-encoded text.</summary>
    public static JsonNode Document(JsonElement element) =>
        JsonNode.Parse(element.ValueKind == JsonValueKind.String ? Uri.UnescapeDataString(element.GetString()!) : element.GetRawText())!;

    private async Task<IReadOnlyDictionary<string, RoleSnapshot>> ReadRolesAsync()
    {
        var names = new Dictionary<string, string>
        {
            ["irsa"] = "irsa_role_arn",
            ["pod_identity"] = "pod_identity_role_arn",
            ["lambda"] = "lambda_role_arn",
            ["lambda_sweep"] = "lambda_sweep_role_arn",
            ["deploy"] = "deploy_role_arn",
        };
        var roles = await Task.WhenAll(names.Select(async kv => (kv.Key, Role: await ReadRoleAsync(Output(kv.Value)))));
        return roles.ToDictionary(r => r.Key, r => r.Role);
    }

    private async Task<RoleSnapshot> ReadRoleAsync(string arn)
    {
        var name = arn[(arn.LastIndexOf('/') + 1)..];
        var role = await AwsAsync("iam", "get-role", "--role-name", name);
        var attached = await AwsAsync("iam", "list-attached-role-policies", "--role-name", name);
        var inline = await AwsAsync("iam", "list-role-policies", "--role-name", name);
        var policies = new List<PolicyDocument>();
        var attachedArns = attached.GetProperty("AttachedPolicies").EnumerateArray().Select(p => p.GetProperty("PolicyArn").GetString()!).ToList();
        foreach (var policyArn in attachedArns)
        {
            var version = (await AwsAsync("iam", "get-policy", "--policy-arn", policyArn)).GetProperty("Policy").GetProperty("DefaultVersionId").GetString()!;
            var document = (await AwsAsync("iam", "get-policy-version", "--policy-arn", policyArn, "--version-id", version)).GetProperty("PolicyVersion").GetProperty("Document");
            policies.Add(new PolicyDocument(policyArn, Document(document)));
        }

        var inlineNames = inline.GetProperty("PolicyNames").EnumerateArray().Select(p => p.GetString()!).ToList();
        foreach (var policyName in inlineNames)
        {
            var document = (await AwsAsync("iam", "get-role-policy", "--role-name", name, "--policy-name", policyName)).GetProperty("PolicyDocument");
            policies.Add(new PolicyDocument($"{name}/{policyName}", Document(document)));
        }

        return new RoleSnapshot(name, arn, Document(role.GetProperty("Role").GetProperty("AssumeRolePolicyDocument")), policies, attachedArns, inlineNames);
    }
}

/// <summary>One role as IAM holds it: its trust policy, and every policy that grants it something.</summary>
public sealed record RoleSnapshot(string Name, string Arn, JsonNode Trust, IReadOnlyList<PolicyDocument> Policies, IReadOnlyList<string> AttachedPolicyArns, IReadOnlyList<string> InlinePolicyNames)
{
    /// <summary>The principal of a session of this role, as it signs requests.</summary>
    public string SessionArn => $"arn:aws:sts::{IamSimulator.Account}:assumed-role/{Name}/session";
}

[CollectionDefinition(Name)]
public sealed class TerraformOnMotoDefinition : ICollectionFixture<TerraformOnMoto>
{
    public const string Name = "terraform";
}
