using System.Text.Json;
using System.Text.Json.Nodes;
using Users.Terraform.Tests.Iam;
using Users.Terraform.Tests.Infrastructure;

namespace Users.Terraform.Tests.Deploy;

/// <summary>One AWS request a release makes, as IAM authorises it, and why it is made.</summary>
public sealed record DeployCall(string Why, string Action, string Resource, bool ViaCloudFormation, IReadOnlyDictionary<string, object>? Context = null);

/// <summary>
/// Every request a release makes with the deploy role: `sam deploy` of a template (its change set, its package upload,
/// and each resource CloudFormation creates, updates, reads and deletes with the caller's rights, from the CloudFormation
/// resource provider schemas' handler permissions, Deploy/cfn-handler-permissions.json), the image push (ECR), and what
/// `helm upgrade` needs of AWS (the cluster's endpoint).
/// Handler permissions for features the templates do not use are left out with the reason, never silently.
/// </summary>
public sealed class SamDeployment(string stack, string region, string account, string artifactBucket, string lambdaRole, string sweepRole, string repository, string cluster)
{
    /// <summary>Handler permissions (an action, or "type action") for properties the templates do not set, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotUsedByTheseTemplates = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["kms:CreateGrant"] = "no KmsKeyArn: the function's environment is encrypted with the AWS managed key",
        ["kms:Decrypt"] = "no KmsKeyArn",
        ["kms:DescribeKey"] = "no KmsKeyArn",
        ["kms:Encrypt"] = "no KmsKeyArn",
        ["kms:GenerateDataKey"] = "no KmsKeyArn",
        ["ec2:DescribeSecurityGroups"] = "no VpcConfig",
        ["ec2:DescribeSubnets"] = "no VpcConfig",
        ["ec2:DescribeVpcs"] = "no VpcConfig",
        ["ec2:DescribeNetworkInterfaces"] = "no VpcConfig",
        ["elasticfilesystem:DescribeMountTargets"] = "no FileSystemConfigs",
        ["s3files:ListMountTargets"] = "no FileSystemConfigs",
        ["lambda:GetLayerVersion"] = "no Layers",
        ["lambda:GetCodeSigningConfig"] = "no CodeSigningConfigArn",
        ["lambda:PutFunctionCodeSigningConfig"] = "no CodeSigningConfigArn",
        ["lambda:DeleteFunctionCodeSigningConfig"] = "no CodeSigningConfigArn",
        ["lambda:PassCapacityProvider"] = "no CapacityProviderConfig",
        ["lambda:PutFunctionScalingConfig"] = "no CapacityProviderConfig",
        ["iam:GetRole"] = "no SNS delivery-status or subscription role",
        ["AWS::SNS::Topic iam:PassRole"] = "no SNS delivery-status logging role",
        ["AWS::SNS::Subscription iam:PassRole"] = "no SubscriptionRoleArn (Firehose subscriptions only)",
        ["AWS::ApiGateway::RestApi iam:PassRole"] = "no role on the REST API (its CloudWatch role is an account setting)",
        ["AWS::Events::Rule iam:PassRole"] = "no RoleArn on the sweep's schedule: EventBridge invokes the function through its AWS::Lambda::Permission",
        ["apigateway:TagResource"] = "not an IAM action: API Gateway authorises tags as apigateway:PUT/DELETE/GET on /tags/<arn> (evaluated)",
        ["apigateway:UntagResource"] = "not an IAM action: API Gateway authorises tags as apigateway:PUT/DELETE/GET on /tags/<arn> (evaluated)",
        ["apigateway:UpdateRestApiPolicy"] = "no Policy on the REST API",
        ["s3:getObject"] = "no BodyS3Location: the API definitions are inline",
        ["AWS::ApiGateway::RestApi s3:GetObject"] = "no BodyS3Location: the API definition is inline",
    };

    private static readonly Dictionary<string, object> ViaCloudFormationContext = new()
    {
        ["aws:CalledVia"] = new[] { "cloudformation.amazonaws.com" },
        ["aws:CalledViaFirst"] = "cloudformation.amazonaws.com",
        ["aws:CalledViaLast"] = "cloudformation.amazonaws.com",
    };

    private string Arn(string service, string resource) => $"arn:aws:{service}:{region}:{account}:{resource}";

    private string StackArn => Arn("cloudformation", $"stack/{stack}/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab");

    public string FunctionArn => Arn("lambda", $"function:{stack}-UsersApiFunction-AbCdEf012345");

    /// <summary>The avatar sweep function (template.yaml's UsersSweepFunction).</summary>
    public string SweepFunctionArn => Arn("lambda", $"function:{stack}-UsersSweepFunction-AbCdEf012345");

    private string Package => $"arn:aws:s3:::{artifactBucket}/{stack}/0123456789abcdef0123456789abcdef";

    /// <summary>The template's resources after the Serverless transform, as `sam deploy` hands them to CloudFormation.</summary>
    public static async Task<JsonObject> TransformAsync(string template, string codeUri)
    {
        const string Script = """
            import json, sys
            from samtranslator.translator.transform import transform
            from samtranslator.yaml_helper import yaml_parse
            class NoManagedPolicies:
                def load(self): return {}
            template = yaml_parse(open(sys.argv[1]).read())
            for resource in template["Resources"].values():
                if resource["Type"] == "AWS::Serverless::Function":
                    resource["Properties"]["CodeUri"] = sys.argv[2]  # what `sam deploy` uploads and writes here
            print(json.dumps(transform(template, {}, NoManagedPolicies())["Resources"]))
            """;
        var result = (await Cli.RunAsync("python3", ["-c", Script, RepoPaths.Of(template), codeUri], new Dictionary<string, string?> { ["AWS_DEFAULT_REGION"] = "us-east-1" })).EnsureSuccess();
        return JsonNode.Parse(result.StdOut)!.AsObject();
    }

    /// <summary>Every call of a release that deploys <paramref name="template"/>, and the handler permissions not needed by it.</summary>
    public async Task<(List<DeployCall> Calls, List<string> Unmapped)> CallsAsync(string template)
    {
        var handlers = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Deploy", "cfn-handler-permissions.json")))!["types"]!.AsObject();
        var resources = await TransformAsync(template, $"s3://{artifactBucket}/{stack}/0123456789abcdef0123456789abcdef");
        var calls = new List<DeployCall>(Release());
        var unmapped = new List<string>();
        foreach (var (logicalId, node) in resources)
        {
            var type = node!["Type"]!.GetValue<string>();
            if (handlers[type] is not JsonObject byHandler)
            {
                unmapped.Add($"{logicalId}: {type} has no handler permissions in Deploy/cfn-handler-permissions.json");
                continue;
            }

            foreach (var (handler, permissions) in byHandler)
            {
                foreach (var action in permissions!.AsArray().Select(p => p!.GetValue<string>()))
                {
                    if (NotUsedByTheseTemplates.ContainsKey(action) || NotUsedByTheseTemplates.ContainsKey($"{type} {action}"))
                    {
                        continue;
                    }

                    if (Resource(type, logicalId, node!["Properties"]!, action, handler) is { } resource)
                    {
                        calls.Add(new DeployCall($"{logicalId} ({type}) {handler}", action, resource.Arn, ViaCloudFormation: true, resource.Context));
                    }
                    else
                    {
                        unmapped.Add($"{logicalId} ({type}) {handler}: {action}");
                    }
                }
            }
        }

        return (calls, unmapped);
    }

    public static Dictionary<string, object> Context(DeployCall call)
    {
        var context = new Dictionary<string, object>(call.ViaCloudFormation ? ViaCloudFormationContext : []) { ["aws:SecureTransport"] = "true" };
        foreach (var (key, value) in call.Context ?? new Dictionary<string, object>())
        {
            context[key] = value;
        }

        return context;
    }

    /// <summary>What the release workflow itself calls: the stack's change set, the package upload, the image push, the cluster.</summary>
    private IEnumerable<DeployCall> Release()
    {
        foreach (var action in new[] { "DescribeStacks", "GetTemplateSummary", "CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet", "DescribeStackEvents", "DeleteChangeSet", "GetTemplate", "ListStackResources" })
        {
            yield return new DeployCall("sam deploy: the stack's change set", $"cloudformation:{action}", StackArn, ViaCloudFormation: false);
        }

        yield return new DeployCall("sam deploy: the artifact bucket's region", "s3:GetBucketLocation", $"arn:aws:s3:::{artifactBucket}", false);
        yield return new DeployCall("sam deploy: is the package already uploaded (a missing key is 404 only with ListBucket)", "s3:ListBucket", $"arn:aws:s3:::{artifactBucket}", false);
        yield return new DeployCall("sam deploy: the package and template upload", "s3:PutObject", Package, false);
        yield return new DeployCall("sam deploy: the upload check; CloudFormation reads the template", "s3:GetObject", Package, false);

        yield return new DeployCall("docker login", "ecr:GetAuthorizationToken", "*", false);
        foreach (var action in new[] { "BatchCheckLayerAvailability", "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "PutImage", "BatchGetImage", "GetDownloadUrlForLayer" })
        {
            yield return new DeployCall("docker push / buildx imagetools create", $"ecr:{action}", repository, false);
        }

        yield return new DeployCall("aws eks update-kubeconfig before helm upgrade (Kubernetes rights: the access entry)", "eks:DescribeCluster", Arn("eks", $"cluster/{cluster}"), false);
    }

    /// <summary>The resource one handler permission of one stack resource acts on.</summary>
    private (string Arn, Dictionary<string, object>? Context)? Resource(string type, string logicalId, JsonNode properties, string action, string handler)
    {
        var service = action.Split(':')[0];
        const string HttpApi = "a1b2c3d4e5";
        const string RestApi = "r1e2s3t4u5";
        string Gateway(string path) => $"arn:aws:apigateway:{region}::{path}";
        return (type, service) switch
        {
            (_, "iam") when action == "iam:PassRole" && type == "AWS::Lambda::Function" =>
                (RoleOf(properties), new Dictionary<string, object> { ["iam:PassedToService"] = "lambda.amazonaws.com" }),
            ("AWS::Lambda::Function", "s3") => (Package, null),
            ("AWS::Lambda::Function" or "AWS::Lambda::Permission", "lambda") =>
                (logicalId.StartsWith("UsersSweepFunction", StringComparison.Ordinal) ? SweepFunctionArn : FunctionArn, null),
            ("AWS::Events::Rule", "events") => (Arn("events", $"rule/{stack}-{logicalId}-AbCdEf012345"), null),
            ("AWS::SNS::Topic" or "AWS::SNS::Subscription", "sns") => (Arn("sns", $"{stack}-AlarmTopic-AbCdEf012345"), null),
            ("AWS::CloudWatch::Alarm", "cloudwatch") => (Arn("cloudwatch", $"alarm:{StackName(properties["AlarmName"]!)}"), null),
            ("AWS::CloudWatch::Dashboard", "cloudwatch") => ($"arn:aws:cloudwatch::{account}:dashboard/{StackName(properties["DashboardName"]!)}", null),
            ("AWS::ApiGatewayV2::Api", "apigateway") => (Gateway(action is "apigateway:POST" or "apigateway:PUT" && handler == "create" ? "/apis" : $"/apis/{HttpApi}"), null),
            ("AWS::ApiGatewayV2::Stage", "apigateway") => (Gateway(action == "apigateway:POST" ? $"/apis/{HttpApi}/stages" : $"/apis/{HttpApi}/stages/$default"), null),
            ("AWS::ApiGateway::RestApi", "apigateway") => (Gateway(action == "apigateway:POST" ? "/restapis" : $"/restapis/{RestApi}"), null),
            ("AWS::ApiGateway::Deployment", "apigateway") => (Gateway(action == "apigateway:POST" ? $"/restapis/{RestApi}/deployments" : $"/restapis/{RestApi}/deployments/d1e2p3"), null),
            ("AWS::ApiGateway::Stage", "apigateway") => (Gateway(action == "apigateway:POST" ? $"/restapis/{RestApi}/stages" : $"/restapis/{RestApi}/stages/prod"), null),
            _ => null,
        };
    }

    /// <summary>The execution role a function is given: its Role parameter (LambdaRoleArn or SweepRoleArn), as Terraform made it.</summary>
    private string RoleOf(JsonNode properties) => properties["Role"]?["Ref"]?.GetValue<string>() switch
    {
        "LambdaRoleArn" => lambdaRole,
        "SweepRoleArn" => sweepRole,
        var other => throw new InvalidOperationException($"a function's Role is {other ?? "not a parameter"}: map it to a Terraform role"),
    };

    /// <summary>A name written as !Sub "${AWS::StackName}-…".</summary>
    private string StackName(JsonNode name) =>
        (name is JsonObject sub ? sub["Fn::Sub"]!.GetValue<string>() : name.GetValue<string>()).Replace("${AWS::StackName}", stack, StringComparison.Ordinal);

    /// <summary>The tag calls API Gateway authorises as HTTP verbs on /tags/ (what the schemas' TagResource stands for).</summary>
    public IEnumerable<DeployCall> ApiGatewayTagging(string template)
    {
        var stage = template == "template.yaml" ? $"arn:aws:apigateway:{region}::/apis/a1b2c3d4e5/stages/$default" : $"arn:aws:apigateway:{region}::/restapis/r1e2s3t4u5/stages/prod";
        foreach (var verb in new[] { "PUT", "DELETE", "GET" })
        {
            yield return new DeployCall("the stage's tags", $"apigateway:{verb}", $"arn:aws:apigateway:{region}::/tags/{Uri.EscapeDataString(stage)}", ViaCloudFormation: true);
        }
    }
}
