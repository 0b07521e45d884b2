using k8s.Models;
using Xunit.Abstractions;

namespace Users.Chart.Tests;

/// <summary>The chart rendered with --set combinations: the knobs do what values.yaml says.</summary>
public sealed class ChartOptionsTests(ITestOutputHelper output)
{
    private Manifests Render(params string[] args)
    {
        output.WriteLine($"renderer: {ChartRenderer.Description}; args: {string.Join(' ', args)}");
        return ChartRenderer.Render(args);
    }

    [Fact]
    public void Without_the_autoscaler_the_deployment_sets_replicas()
    {
        var m = Render("--set", "autoscaling.enabled=false", "--set", "replicaCount=3");
        Assert.False(m.Has<V2HorizontalPodAutoscaler>());
        Assert.Equal(3, m.Single<V1Deployment>().Spec.Replicas);
    }

    [Fact]
    public void With_the_autoscaler_the_deployment_omits_replicas()
    {
        var m = Render("--set", "autoscaling.enabled=true", "--set", "replicaCount=3");
        Assert.Null(m.Single<V1Deployment>().Spec.Replicas);
        Assert.Equal(2, m.Single<V2HorizontalPodAutoscaler>().Spec.MinReplicas);
    }

    [Fact]
    public void Role_arn_sets_the_irsa_annotation_and_nothing_sets_it_otherwise()
    {
        const string Arn = "arn:aws:iam::123456789012:role/users-api-irsa";
        var annotated = Render("--set", $"serviceAccount.roleArn={Arn}").Single<V1ServiceAccount>();
        Assert.Equal(Arn, annotated.Metadata.Annotations["eks.amazonaws.com/role-arn"]);

        var plain = Render().Single<V1ServiceAccount>();
        Assert.True(plain.Metadata.Annotations is null || !plain.Metadata.Annotations.ContainsKey("eks.amazonaws.com/role-arn"));
    }

    [Fact]
    public void Terraform_outputs_reach_the_config_map_and_service_account()
    {
        var m = Render(
            "-f", RepoPaths.ChartFile("values-eks.yaml"),
            "--set", "serviceAccount.roleArn=arn:aws:iam::210987654321:role/prod-users",
            "--set", "config.usersTableName=prod-users",
            "--set", "config.avatarsBucketName=prod-users-avatars-210987654321",
            "--set", "config.awsRegion=eu-west-1");
        var data = m.Single<V1ConfigMap>().Data;
        Assert.Equal("prod-users", data["USERS_TABLE_NAME"]);
        Assert.Equal("prod-users-avatars-210987654321", data["AVATARS_BUCKET_NAME"]);
        Assert.Equal("eu-west-1", data["AWS_REGION"]);
        Assert.Equal("arn:aws:iam::210987654321:role/prod-users", m.Single<V1ServiceAccount>().Metadata.Annotations["eks.amazonaws.com/role-arn"]);
    }

    [Fact]
    public void Optional_settings_appear_only_when_set()
    {
        var data = Render(
            "--set", "config.awsEndpointUrl=http://localstack:4566",
            "--set", "config.avatarsPublicBaseUrl=https://cdn.example.com/avatars",
            "--set", "config.avatarUrlMode=presigned",
            "--set", "config.avatarMaxBytes=1048576",
            "--set", "config.shutdownTimeoutSeconds=10",
            "--set", "config.listCoalesce=false",
            "--set", "config.listSnapshotSeconds=0").Single<V1ConfigMap>().Data;
        Assert.Equal("http://localstack:4566", data["AWS_ENDPOINT_URL"]);
        Assert.Equal("https://cdn.example.com/avatars", data["AVATARS_PUBLIC_BASE_URL"]);
        Assert.Equal("presigned", data["AVATAR_URL_MODE"]);
        Assert.Equal("1048576", data["AVATAR_MAX_BYTES"]);
        Assert.Equal("10", data["SHUTDOWN_TIMEOUT_SECONDS"]);
        Assert.Equal("false", data["LIST_COALESCE"]);
        Assert.Equal("0", data["LIST_SNAPSHOT_SECONDS"]);

        var defaults = Render().Single<V1ConfigMap>().Data;
        Assert.False(defaults.ContainsKey("AWS_ENDPOINT_URL"));
        Assert.False(defaults.ContainsKey("AVATARS_PUBLIC_BASE_URL"));
        Assert.Equal("true", defaults["LIST_COALESCE"]);
        Assert.Equal("0", defaults["LIST_SNAPSHOT_SECONDS"]);
    }

    [Fact]
    public void Avatar_links_open_by_default_presigned_or_through_the_public_base_url()
    {
        // Never a bare URL of the private bucket (403): presigned unless a public base URL (CloudFront) is given.
        Assert.Equal("presigned", Render().Single<V1ConfigMap>().Data["AVATAR_URL_MODE"]);
        Assert.Equal("public", Render("--set", "config.avatarsPublicBaseUrl=https://cdn.example.com").Single<V1ConfigMap>().Data["AVATAR_URL_MODE"]);
        Assert.Equal("public", Render("-f", RepoPaths.ChartFile("values-minikube.yaml")).Single<V1ConfigMap>().Data["AVATAR_URL_MODE"]);
        Assert.Equal("presigned", Render("-f", RepoPaths.ChartFile("values-eks.yaml")).Single<V1ConfigMap>().Data["AVATAR_URL_MODE"]);
    }

    [Fact]
    public void Swagger_ui_is_off_unless_turned_on()
    {
        Assert.Equal("false", Render().Single<V1ConfigMap>().Data["SWAGGER_UI_ENABLED"]);
        Assert.Equal("true", Render("--set", "config.swaggerUi=true").Single<V1ConfigMap>().Data["SWAGGER_UI_ENABLED"]);
    }

    [Fact]
    public void Config_checksum_follows_the_config_and_only_the_config()
    {
        string Checksum(params string[] args) => Render(args).Single<V1Deployment>().Spec.Template.Metadata.Annotations["checksum/config"];

        var baseline = Checksum();
        Assert.Equal(baseline, Checksum());
        Assert.Equal(baseline, Checksum("--set", "replicaCount=4"));
        Assert.NotEqual(baseline, Checksum("--set", "config.usersTableName=other-users"));
    }

    [Fact]
    public void Ingress_network_policy_and_service_monitor_render_valid_objects_when_enabled()
    {
        var m = Render(
            "--set", "ingress.enabled=true", "--set", "ingress.className=nginx",
            "--set", "networkPolicy.enabled=true", "--set", "serviceMonitor.enabled=true");
        // The public Service; the ServiceMonitor's metrics Service is covered by ObservabilityChartTests.
        var service = Assert.Single(m.All<V1Service>(), s => s.Spec.Ports.Any(p => p.Name == "http"));

        var rule = Assert.Single(m.Single<V1Ingress>().Spec.Rules);
        var path = Assert.Single(rule.Http.Paths);
        Assert.Equal(service.Metadata.Name, path.Backend.Service.Name);
        Assert.Equal("http", path.Backend.Service.Port.Name);

        var policy = m.Named<V1NetworkPolicy>(ChartRenderer.FullName);
        Assert.Equal(["Egress", "Ingress"], policy.Spec.PolicyTypes.Order(StringComparer.Ordinal));
        Assert.Contains(policy.Spec.Ingress, i => i.Ports.Single().Port.Value == "http");
        Assert.Contains(policy.Spec.Egress, e => e.Ports.Any(p => p.Port.Value == "53"));
        Assert.Contains(policy.Spec.Egress, e => e.Ports.Any(p => p.Port.Value == "443"));

        var monitor = m.Single<ServiceMonitor>();
        Assert.Equal("metrics", Assert.Single(monitor.Spec.Endpoints).Port);
    }

    [Fact]
    public void Image_digest_pins_the_image()
    {
        const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        var container = Assert.Single(Render("--set", "image.repository=registry.example.com/users-api", "--set", $"image.digest={Digest}")
            .Single<V1Deployment>().Spec.Template.Spec.Containers);
        Assert.Equal($"registry.example.com/users-api@{Digest}", container.Image);
    }

    [Fact]
    public void Pdb_min_available_replaces_max_unavailable()
    {
        var pdb = Render("--set", "podDisruptionBudget.minAvailable=1").Single<V1PodDisruptionBudget>();
        Assert.Equal("1", pdb.Spec.MinAvailable.Value);
        Assert.Null(pdb.Spec.MaxUnavailable);
    }

    [Fact]
    public void Existing_secret_is_referenced_instead_of_created()
    {
        var m = Render("--set", "staticCredentials.enabled=true", "--set", "staticCredentials.existingSecret=my-aws");
        Assert.False(m.Has<V1Secret>());
        Assert.Contains(Assert.Single(m.Single<V1Deployment>().Spec.Template.Spec.Containers).EnvFrom, e => e.SecretRef?.Name == "my-aws");
    }

    [Theory]
    [InlineData("terminationGracePeriodSeconds=20", "terminationGracePeriodSeconds")]
    [InlineData("config.avatarUrlMode=bogus", "avatarUrlMode")]
    [InlineData("securityContext.readOnlyRootFilesystem=false", "readOnlyRootFilesystem")]
    [InlineData("rollingUpdate.maxUnavailable=1", "maxUnavailable")]
    [InlineData("autoscaling.minReplicas=1", "minReplicas")]
    [InlineData("serviceAccount.roleArn=not-an-arn", "roleArn")]
    [InlineData("probes.liveness.path=/health/ready", "liveness")]
    [InlineData("unknownKnob=1", "unknownKnob")]
    public void Unsafe_or_invalid_values_are_rejected_at_render_time(string set, string mentioned)
    {
        var result = ChartRenderer.TryRender("--set", set);
        output.WriteLine(result.StdErr);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(mentioned, result.StdErr, StringComparison.Ordinal);
    }
}
