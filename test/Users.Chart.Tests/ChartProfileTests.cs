using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Models;
using Xunit.Abstractions;

namespace Users.Chart.Tests;

/// <summary>The chart rendered with its defaults and with each shipped profile: reliability and security settings.</summary>
public sealed class ChartProfileTests(ITestOutputHelper output)
{
    public const string Defaults = "(defaults)";

    private static readonly string[] WhenUnsatisfiable = ["DoNotSchedule", "ScheduleAnyway"];

    private static readonly string[] AppSettings =
        ["USERS_TABLE_NAME", "AVATARS_BUCKET_NAME", "AWS_REGION", "AVATAR_URL_MODE", "AVATAR_MAX_BYTES", "SHUTDOWN_TIMEOUT_SECONDS", "ASPNETCORE_HTTP_PORTS"];

    public static TheoryData<string> Profiles()
    {
        var data = new TheoryData<string> { Defaults };
        foreach (var file in RepoPaths.ProfileValuesFiles())
        {
            data.Add(file);
        }

        return data;
    }

    private Manifests RenderProfile(string profile)
    {
        output.WriteLine($"renderer: {ChartRenderer.Description}");
        return profile == Defaults ? ChartRenderer.Render() : ChartRenderer.Render(ChartRenderer.ValuesFile(profile));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Helm_lint_strict_passes(string profile)
    {
        string[] lint = ["lint", RepoPaths.ChartDir, "--strict", "--namespace", ChartRenderer.Namespace, "--kube-version", ChartRenderer.KubeVersion];
        var result = ChartRenderer.Run(profile == Defaults ? lint : [.. lint, .. ChartRenderer.ValuesFile(profile)]);
        output.WriteLine(result.StdOut);
        Assert.True(result.ExitCode == 0, $"helm lint --strict failed for {profile}:\n{result.StdOut}\n{result.StdErr}");
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void The_chart_ships_the_minikube_and_eks_profiles()
    {
        Assert.Contains("values-minikube.yaml", RepoPaths.ProfileValuesFiles());
        Assert.Contains("values-eks.yaml", RepoPaths.ProfileValuesFiles());
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Renders_the_core_objects_once_each_with_standard_labels(string profile)
    {
        var m = RenderProfile(profile);

        m.Single<V1Deployment>();
        m.Single<V1Service>();
        m.Single<V1ServiceAccount>();
        m.Single<V1ConfigMap>();
        m.Single<V1PodDisruptionBudget>();
        foreach (var obj in m.Objects)
        {
            var labels = obj.Metadata.Labels;
            Assert.NotNull(labels);
            Assert.Equal("users-api", labels["app.kubernetes.io/name"]);
            Assert.Equal(ChartRenderer.ReleaseName, labels["app.kubernetes.io/instance"]);
            Assert.Equal("Helm", labels["app.kubernetes.io/managed-by"]);
            Assert.StartsWith("users-api-", labels["helm.sh/chart"], StringComparison.Ordinal);
            Assert.Equal(ChartRenderer.Namespace, obj.Metadata.NamespaceProperty);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Pods_are_hardened(string profile)
    {
        var m = RenderProfile(profile);
        var pod = m.Single<V1Deployment>().Spec.Template.Spec;

        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.NotEqual(0, pod.SecurityContext.RunAsUser ?? 0);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.False(pod.AutomountServiceAccountToken);

        var container = Assert.Single(pod.Containers);
        var sc = container.SecurityContext;
        Assert.True(sc.RunAsNonRoot);
        Assert.True(sc.ReadOnlyRootFilesystem);
        Assert.False(sc.AllowPrivilegeEscalation);
        Assert.False(sc.Privileged ?? false);
        Assert.Equal(["ALL"], sc.Capabilities.Drop);
        Assert.True(sc.Capabilities.Add is null || sc.Capabilities.Add.Count == 0);
        Assert.Equal("RuntimeDefault", sc.SeccompProfile.Type);

        // The read-only root filesystem gets a writable /tmp, and nothing else.
        var tmp = Assert.Single(container.VolumeMounts);
        Assert.Equal("/tmp", tmp.MountPath);
        var volume = Assert.Single(pod.Volumes);
        Assert.Equal(tmp.Name, volume.Name);
        Assert.NotNull(volume.EmptyDir);
        Assert.NotNull(volume.EmptyDir.SizeLimit);

        // Its own ServiceAccount.
        var sa = m.Single<V1ServiceAccount>();
        Assert.Equal(sa.Metadata.Name, pod.ServiceAccountName);
        Assert.NotEqual("default", pod.ServiceAccountName);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Probes_check_liveness_without_dependencies_and_readiness_with_them(string profile)
    {
        var container = Assert.Single(RenderProfile(profile).Single<V1Deployment>().Spec.Template.Spec.Containers);
        var port = Assert.Single(container.Ports, p => p.Name == "http");
        Assert.Equal("http", port.Name);

        Assert.Equal("/health/live", container.StartupProbe.HttpGet.Path);
        Assert.Equal("/health/live", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/health/ready", container.ReadinessProbe.HttpGet.Path);
        foreach (var probe in new[] { container.StartupProbe, container.LivenessProbe, container.ReadinessProbe })
        {
            Assert.Equal("http", probe.HttpGet.Port.Value);
            Assert.True(probe.PeriodSeconds > 0 && probe.TimeoutSeconds > 0 && probe.FailureThreshold > 0);
        }

        // The startup probe gives a slow start room before liveness can restart the pod.
        Assert.True(container.StartupProbe.PeriodSeconds * container.StartupProbe.FailureThreshold >= 30);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Resources_have_cpu_and_memory_requests_and_a_memory_limit(string profile)
    {
        var resources = Assert.Single(RenderProfile(profile).Single<V1Deployment>().Spec.Template.Spec.Containers).Resources;
        Assert.True(resources.Requests.ContainsKey("cpu"));
        Assert.True(resources.Requests.ContainsKey("memory"));
        Assert.True(resources.Limits.ContainsKey("memory"));
        Assert.True(resources.Limits["memory"].ToDecimal() >= resources.Requests["memory"].ToDecimal());
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rollouts_and_shutdowns_never_drop_requests(string profile)
    {
        var m = RenderProfile(profile);
        var deployment = m.Single<V1Deployment>();
        Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
        Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);

        var pod = deployment.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var preStop = container.Lifecycle.PreStop.Sleep;
        Assert.NotNull(preStop);
        Assert.True(preStop.Seconds > 0);

        var shutdown = long.Parse(m.Single<V1ConfigMap>().Data["SHUTDOWN_TIMEOUT_SECONDS"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(shutdown > 0);
        Assert.True(pod.TerminationGracePeriodSeconds > preStop.Seconds + shutdown,
            $"terminationGracePeriodSeconds {pod.TerminationGracePeriodSeconds} <= preStop {preStop.Seconds} + shutdown {shutdown}");
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Pods_spread_across_nodes_and_zones(string profile)
    {
        var deployment = RenderProfile(profile).Single<V1Deployment>();
        var constraints = deployment.Spec.Template.Spec.TopologySpreadConstraints;
        Assert.Equal(
            ["kubernetes.io/hostname", "topology.kubernetes.io/zone"],
            constraints.Select(c => c.TopologyKey).Order(StringComparer.Ordinal));
        foreach (var c in constraints)
        {
            Assert.Equal(deployment.Spec.Selector.MatchLabels, c.LabelSelector.MatchLabels);
            Assert.Contains(c.WhenUnsatisfiable, WhenUnsatisfiable);
            Assert.True(c.MaxSkew >= 1);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Configuration_changes_roll_the_pods(string profile)
    {
        var annotations = RenderProfile(profile).Single<V1Deployment>().Spec.Template.Metadata.Annotations;
        Assert.Matches("^[0-9a-f]{64}$", annotations["checksum/config"]);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Selectors_match_the_pods(string profile)
    {
        var m = RenderProfile(profile);
        var deployment = m.Single<V1Deployment>();
        var podLabels = deployment.Spec.Template.Metadata.Labels;
        Assert.All(deployment.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, podLabels[kv.Key]));

        var service = m.Single<V1Service>();
        Assert.NotEmpty(service.Spec.Selector);
        Assert.All(service.Spec.Selector, kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        var servicePort = Assert.Single(service.Spec.Ports);
        Assert.Equal("http", servicePort.TargetPort.Value);

        var pdb = m.Single<V1PodDisruptionBudget>();
        Assert.All(pdb.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        Assert.True(pdb.Spec.MaxUnavailable is not null || pdb.Spec.MinAvailable is not null);

        var configMap = m.Single<V1ConfigMap>();
        var envFrom = Assert.Single(deployment.Spec.Template.Spec.Containers).EnvFrom;
        Assert.Contains(envFrom, e => e.ConfigMapRef?.Name == configMap.Metadata.Name);

        foreach (var hpa in m.All<V2HorizontalPodAutoscaler>())
        {
            Assert.Equal("Deployment", hpa.Spec.ScaleTargetRef.Kind);
            Assert.Equal(deployment.Metadata.Name, hpa.Spec.ScaleTargetRef.Name);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Replicas_come_from_the_autoscaler_when_there_is_one(string profile)
    {
        var m = RenderProfile(profile);
        var deployment = m.Single<V1Deployment>();
        var hpa = m.All<V2HorizontalPodAutoscaler>().SingleOrDefault();
        if (hpa is null)
        {
            Assert.NotNull(deployment.Spec.Replicas);
            return;
        }

        Assert.Null(deployment.Spec.Replicas);
        Assert.True(hpa.Spec.MinReplicas >= 2);
        Assert.True(hpa.Spec.MaxReplicas >= hpa.Spec.MinReplicas);
        Assert.Equal(["cpu", "memory"], hpa.Spec.Metrics.Select(x => x.Resource.Name).Order(StringComparer.Ordinal));
        Assert.All(hpa.Spec.Metrics, x => Assert.Equal("Utilization", x.Resource.Target.Type));
        Assert.True(hpa.Spec.Behavior.ScaleDown.StabilizationWindowSeconds > 0);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Helm_test_hits_readiness_and_the_users_list_through_the_service(string profile)
    {
        var m = RenderProfile(profile);
        var service = m.Single<V1Service>();
        var baseUrl = $"http://{service.Metadata.Name}.{ChartRenderer.Namespace}.svc:{service.Spec.Ports[0].Port}";
        var urls = m.TestHooks.SelectMany(p => p.Spec.Containers).SelectMany(c => c.Args ?? []).Where(a => a.StartsWith("http", StringComparison.Ordinal)).ToList();

        Assert.Equal([$"{baseUrl}/health/ready", $"{baseUrl}/users"], urls.Order(StringComparer.Ordinal));
        Assert.All(m.TestHooks, p =>
        {
            Assert.Equal("Never", p.Spec.RestartPolicy);
            var c = Assert.Single(p.Spec.Containers);
            Assert.Contains("--fail", c.Args);
            Assert.False(c.SecurityContext.AllowPrivilegeEscalation);
            Assert.True(p.Spec.SecurityContext.RunAsNonRoot);
        });
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Config_map_carries_the_app_settings(string profile)
    {
        var data = RenderProfile(profile).Single<V1ConfigMap>().Data;
        foreach (var key in AppSettings)
        {
            Assert.False(string.IsNullOrEmpty(data[key]), key);
        }

        // Kestrel listens on the port the Deployment declares and the probes use.
        var m = RenderProfile(profile);
        var port = Assert.Single(Assert.Single(m.Single<V1Deployment>().Spec.Template.Spec.Containers).Ports, p => p.Name == "http");
        Assert.Equal(port.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Single<V1ConfigMap>().Data["ASPNETCORE_HTTP_PORTS"]);

        // Credentials never go through the ConfigMap.
        Assert.DoesNotContain(data.Keys, k => k.StartsWith("AWS_ACCESS_KEY", StringComparison.Ordinal) || k.StartsWith("AWS_SECRET", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_leave_ingress_network_policy_and_service_monitor_off_and_use_no_static_credentials()
    {
        var m = RenderProfile(Defaults);
        Assert.False(m.Has<V1Ingress>());
        Assert.False(m.Has<V1NetworkPolicy>());
        Assert.False(m.Has<ServiceMonitor>());
        Assert.False(m.Has<V1Secret>());
        Assert.True(m.Has<V2HorizontalPodAutoscaler>());
        Assert.False(m.Single<V1ConfigMap>().Data.ContainsKey("AWS_ENDPOINT_URL"));
    }

    [Fact]
    public void Minikube_profile_uses_the_loaded_image_localstack_and_credentials_from_a_secret()
    {
        var m = RenderProfile("values-minikube.yaml");
        var container = Assert.Single(m.Single<V1Deployment>().Spec.Template.Spec.Containers);
        Assert.Equal("users-api:local", container.Image);
        Assert.Equal("Never", container.ImagePullPolicy);
        Assert.Equal("http://host.minikube.internal:4566", m.Single<V1ConfigMap>().Data["AWS_ENDPOINT_URL"]);

        var secret = m.Single<V1Secret>();
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], secret.StringData.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(container.EnvFrom, e => e.SecretRef?.Name == secret.Metadata.Name);
        Assert.Matches("^[0-9a-f]{64}$", m.Single<V1Deployment>().Spec.Template.Metadata.Annotations["checksum/secret"]);
    }

    [Fact]
    public void Eks_profile_uses_irsa_and_no_static_credentials_or_endpoint()
    {
        var m = RenderProfile("values-eks.yaml");
        Assert.False(m.Has<V1Secret>());
        var container = Assert.Single(m.Single<V1Deployment>().Spec.Template.Spec.Containers);
        Assert.DoesNotContain(container.EnvFrom, e => e.SecretRef is not null);
        Assert.Null(container.Env);
        Assert.False(m.Single<V1ConfigMap>().Data.ContainsKey("AWS_ENDPOINT_URL"));
        Assert.True(m.Single<V2HorizontalPodAutoscaler>().Spec.MinReplicas >= 2);

        // The IRSA trust policy names this ServiceAccount (Terraform's k8s_service_account default).
        Assert.Equal("users-api", m.Single<V1ServiceAccount>().Metadata.Name);
        Assert.Equal("users-api", m.Single<V1Deployment>().Spec.Template.Spec.ServiceAccountName);
    }

    [Fact]
    public void Eks_profile_trusts_forwarded_for_from_the_clusters_vpc_only()
    {
        // The ALB reaches the pods from inside the VPC Terraform makes for the cluster (eks_vpc_cidr): its
        // X-Forwarded-For names the client; nobody else's is believed (test/Users.Api.Tests AdmissionControlTests).
        var trusted = RenderProfile("values-eks.yaml").Single<V1ConfigMap>().Data["TRUSTED_PROXIES"];
        var variables = File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "terraform", "variables.tf"));
        var vpc = Regex.Match(variables, """variable "eks_vpc_cidr" \{[^}]*?default\s*=\s*"([^"]+)" """.TrimEnd(), RegexOptions.Singleline);
        Assert.True(vpc.Success, "terraform/variables.tf: no default for eks_vpc_cidr");
        Assert.Equal(vpc.Groups[1].Value, trusted);
        Assert.Equal(16, IPNetwork.Parse(trusted).PrefixLength);
    }

    [Fact]
    public void Eks_profile_alb_terminates_tls_and_redirects_http()
    {
        var m = ChartRenderer.Render([.. ChartRenderer.ValuesFile("values-eks.yaml"), "--set", "ingress.enabled=true"]);
        var ingress = m.Single<V1Ingress>();
        var annotations = ingress.Metadata.Annotations;
        Assert.Equal("alb", ingress.Spec.IngressClassName);
        Assert.Equal("internet-facing", annotations["alb.ingress.kubernetes.io/scheme"]);
        Assert.Equal("ip", annotations["alb.ingress.kubernetes.io/target-type"]);

        // An ACM certificate, an HTTPS listener on 443 beside HTTP on 80, and HTTP redirected to HTTPS.
        Assert.Matches("^arn:aws:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$", annotations["alb.ingress.kubernetes.io/certificate-arn"]);
        var listeners = JsonSerializer.Deserialize<List<Dictionary<string, int>>>(annotations["alb.ingress.kubernetes.io/listen-ports"])!
            .SelectMany(l => l).Select(l => $"{l.Key}:{l.Value}").Order(StringComparer.Ordinal);
        Assert.Equal(["HTTP:80", "HTTPS:443"], listeners);
        Assert.Equal("443", annotations["alb.ingress.kubernetes.io/ssl-redirect"]);
        Assert.StartsWith("ELBSecurityPolicy-TLS13-1-2-", annotations["alb.ingress.kubernetes.io/ssl-policy"], StringComparison.Ordinal);

        // The ALB appends the client to X-Forwarded-For, which TRUSTED_PROXIES relies on.
        var attributes = annotations["alb.ingress.kubernetes.io/load-balancer-attributes"].Split(',');
        Assert.Contains("routing.http.xff_header_processing.mode=append", attributes);
        Assert.Contains("routing.http.drop_invalid_header_fields.enabled=true", attributes);
    }
}
