using k8s.Models;

namespace Users.Chart.Tests;

/// <summary>
/// The avatar sweep's CronJob: the API's image, settings, service account and hardening, one run at a time, bounded in
/// time and history; its pods never taken for API pods; its knobs reach the run.
/// </summary>
public sealed class SweepChartTests
{
    private const string SweepName = ChartRenderer.FullName + "-sweep";

    public static TheoryData<string> Profiles() => ChartProfileTests.Profiles();

    private static Manifests Render(string profile) =>
        profile == ChartProfileTests.Defaults ? ChartRenderer.Render() : ChartRenderer.Render(ChartRenderer.ValuesFile(profile));

    [Theory]
    [MemberData(nameof(Profiles))]
    public void The_cron_job_runs_the_sweep_command_of_the_same_image_once_at_a_time(string profile)
    {
        var m = Render(profile);
        var cron = m.Single<V1CronJob>();
        var deployment = m.Single<V1Deployment>();
        var api = Assert.Single(deployment.Spec.Template.Spec.Containers);
        var pod = cron.Spec.JobTemplate.Spec.Template.Spec;
        var sweep = Assert.Single(pod.Containers);

        Assert.Equal(SweepName, cron.Metadata.Name);
        Assert.Equal("17 * * * *", cron.Spec.Schedule);
        Assert.Equal("Forbid", cron.Spec.ConcurrencyPolicy);
        Assert.Equal(900, cron.Spec.JobTemplate.Spec.ActiveDeadlineSeconds);
        Assert.Equal(600, cron.Spec.StartingDeadlineSeconds);
        Assert.Equal((3, 3), (cron.Spec.SuccessfulJobsHistoryLimit, cron.Spec.FailedJobsHistoryLimit));
        Assert.Equal("Never", pod.RestartPolicy);

        Assert.Equal(api.Image, sweep.Image);
        Assert.Null(sweep.Command); // the image's entrypoint, the service's executable
        Assert.Equal(["sweep"], sweep.Args);
        Assert.Null(sweep.Ports);
        Assert.Equal(api.EnvFrom.Select(e => e.ConfigMapRef?.Name ?? e.SecretRef?.Name), sweep.EnvFrom.Select(e => e.ConfigMapRef?.Name ?? e.SecretRef?.Name));
        Assert.Equal(
            new Dictionary<string, string> { ["SWEEP_GRACE_PERIOD_SECONDS"] = "3600", ["SWEEP_MAX_REMOVALS"] = "1000", ["SWEEP_DRY_RUN"] = "false" },
            sweep.Env.ToDictionary(e => e.Name, e => e.Value));

        // An invalid setting (exit 2) fails the Job at once; a storage failure (exit 1) is retried.
        var rule = Assert.Single(cron.Spec.JobTemplate.Spec.PodFailurePolicy.Rules);
        Assert.Equal(("FailJob", "sweep", "In"), (rule.Action, rule.OnExitCodes.ContainerName, rule.OnExitCodes.OperatorProperty));
        Assert.Equal([2], rule.OnExitCodes.Values);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void The_sweep_runs_with_the_apis_service_account_and_hardening(string profile)
    {
        var m = Render(profile);
        var apiPod = m.Single<V1Deployment>().Spec.Template.Spec;
        var pod = m.Single<V1CronJob>().Spec.JobTemplate.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var api = Assert.Single(apiPod.Containers);

        Assert.Equal(apiPod.ServiceAccountName, pod.ServiceAccountName);
        Assert.False(pod.AutomountServiceAccountToken);
        Assert.Equal(k8s.KubernetesJson.Serialize(apiPod.SecurityContext), k8s.KubernetesJson.Serialize(pod.SecurityContext));
        Assert.Equal(k8s.KubernetesJson.Serialize(api.SecurityContext), k8s.KubernetesJson.Serialize(container.SecurityContext));
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal("/tmp", Assert.Single(container.VolumeMounts).MountPath);
        Assert.NotNull(Assert.Single(pod.Volumes).EmptyDir.SizeLimit);
        Assert.NotNull(container.Resources.Requests["memory"]);
        Assert.NotNull(container.Resources.Limits["memory"]);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Sweep_pods_are_never_taken_for_api_pods(string profile)
    {
        var m = Render(profile);
        var labels = m.Single<V1CronJob>().Spec.JobTemplate.Spec.Template.Metadata.Labels;

        static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) => selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

        Assert.False(Selects(m.Single<V1Service>().Spec.Selector, labels), "the Service would send requests to a sweep pod");
        Assert.False(Selects(m.Single<V1Deployment>().Spec.Selector.MatchLabels, labels), "the Deployment's selector (and the autoscaler's metrics) would count a sweep pod");
        Assert.False(Selects(m.Single<V1PodDisruptionBudget>().Spec.Selector.MatchLabels, labels), "the PodDisruptionBudget would count a sweep pod");
        Assert.Equal(ChartRenderer.ReleaseName, labels["app.kubernetes.io/instance"]);
        Assert.Equal("sweep", labels["app.kubernetes.io/component"]);
    }

    [Fact]
    public void Its_knobs_reach_the_run()
    {
        var cron = ChartRenderer.Render(
            "--set", "sweep.schedule=@daily", "--set", "sweep.timeZone=Europe/Paris", "--set", "sweep.suspend=true",
            "--set", "sweep.gracePeriodSeconds=7200", "--set", "sweep.maxRemovals=50", "--set", "sweep.dryRun=true",
            "--set", "sweep.activeDeadlineSeconds=300", "--set", "sweep.backoffLimit=0",
            "--set", "sweep.extraEnv.OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318").Single<V1CronJob>();
        var env = Assert.Single(cron.Spec.JobTemplate.Spec.Template.Spec.Containers).Env.ToDictionary(e => e.Name, e => e.Value);

        Assert.Equal(("@daily", "Europe/Paris", true), (cron.Spec.Schedule, cron.Spec.TimeZone, cron.Spec.Suspend));
        Assert.Equal((300L, 0), (cron.Spec.JobTemplate.Spec.ActiveDeadlineSeconds, cron.Spec.JobTemplate.Spec.BackoffLimit));
        Assert.Equal(("7200", "50", "true"), (env["SWEEP_GRACE_PERIOD_SECONDS"], env["SWEEP_MAX_REMOVALS"], env["SWEEP_DRY_RUN"]));
        Assert.Equal("http://collector:4318", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
    }

    [Fact]
    public void Static_credentials_reach_the_sweep_too()
    {
        var pod = ChartRenderer.Render(ChartRenderer.ValuesFile("values-minikube.yaml")).Single<V1CronJob>().Spec.JobTemplate.Spec.Template.Spec;
        Assert.Contains(Assert.Single(pod.Containers).EnvFrom, e => e.SecretRef is not null);
    }

    [Fact]
    public void Turned_off_there_is_no_cron_job_and_no_sweep_network_policy()
    {
        var m = ChartRenderer.Render("--set", "sweep.enabled=false", "--set", "networkPolicy.enabled=true");
        Assert.False(m.Has<V1CronJob>());
        Assert.Equal(ChartRenderer.FullName, m.Single<V1NetworkPolicy>().Metadata.Name);
    }

    [Theory]
    [InlineData("sweep.gracePeriodSeconds=5")]
    [InlineData("sweep.maxRemovals=0")]
    [InlineData("sweep.schedule=hourly")]
    public void Unsafe_or_malformed_values_are_refused(string value)
    {
        var result = ChartRenderer.TryRender("--set", value);
        Assert.True(result.ExitCode != 0, $"--set {value} was rendered");
        Assert.Contains("values don't meet the specifications of the schema", result.StdErr, StringComparison.Ordinal);
    }
}
