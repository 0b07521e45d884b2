using System.Security.Cryptography;
using System.Text;

namespace Users.Chart.Tests;

/// <summary>
/// Renders helm/users-api like `helm template`: with the real helm when it is on PATH, otherwise with the
/// workplace's offline stand-in (../shared/tools/helmrender), built once per machine and cached in a temp dir
/// keyed by the stand-in's source hash. USERS_CHART_RENDERER=helm|helmrender forces one; HELMRENDER points at a
/// prebuilt stand-in.
/// </summary>
internal static class ChartRenderer
{
    public const string ReleaseName = "users";
    public const string Namespace = "apps";

    /// <summary>Rendering targets a recent cluster (the chart needs 1.30+ for the preStop sleep action).</summary>
    public const string KubeVersion = "v1.31.0";

    private static readonly Lazy<(string Kind, string Path)> Tool = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Description => $"{Tool.Value.Kind} ({Tool.Value.Path})";

    public static ProcessResult TryRender(params string[] extraArgs)
    {
        var (kind, path) = Tool.Value;
        var args = kind == "helm"
            ? new List<string> { "template", ReleaseName, RepoPaths.ChartDir, "--namespace", Namespace, "--kube-version", KubeVersion }
            : new List<string> { "--name", ReleaseName, "--namespace", Namespace, "--kube-version", KubeVersion };
        args.AddRange(extraArgs);
        if (kind != "helm")
        {
            args.Add(RepoPaths.ChartDir);
        }

        return ProcessRunner.Run(path, args, TimeSpan.FromSeconds(60));
    }

    /// <summary>Renders and loads every object strictly; fails the test when rendering fails.</summary>
    public static Manifests Render(params string[] extraArgs)
    {
        var result = TryRender(extraArgs);
        Assert.True(result.ExitCode == 0, $"rendering with {Description} {string.Join(' ', extraArgs)} failed ({result.ExitCode}):\n{result.StdErr}");
        return Manifests.Load(result.StdOut);
    }

    /// <summary>Arguments for a values file shipped with the chart.</summary>
    public static string[] ValuesFile(string fileName) => ["-f", RepoPaths.ChartFile(fileName)];

    private static (string Kind, string Path) Resolve()
    {
        var forced = Environment.GetEnvironmentVariable("USERS_CHART_RENDERER");
        var helm = ProcessRunner.FindOnPath("helm");
        if (helm is not null && forced is null or "helm")
        {
            return ("helm", helm);
        }

        if (forced == "helm")
        {
            throw new InvalidOperationException("USERS_CHART_RENDERER=helm but helm is not on PATH");
        }

        var prebuilt = Environment.GetEnvironmentVariable("HELMRENDER");
        if (!string.IsNullOrEmpty(prebuilt))
        {
            return File.Exists(prebuilt) ? ("helmrender", prebuilt) : throw new InvalidOperationException($"HELMRENDER={prebuilt} does not exist");
        }

        return ("helmrender", BuildStandIn());
    }

    private static string BuildStandIn()
    {
        var source = Path.Combine(RepoPaths.SharedDir, "tools", "helmrender");
        var buildScript = Path.Combine(source, "build.sh");
        if (!File.Exists(buildScript))
        {
            throw new InvalidOperationException(
                $"helm is not on PATH and the offline stand-in is missing ({buildScript}): install helm or lay shared/ beside the clone");
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(
            Directory.GetFiles(source).Order(StringComparer.Ordinal).Select(f => Path.GetFileName(f) + File.ReadAllText(f))))))[..16];
        var cacheDir = Path.Combine(Path.GetTempPath(), "users-chart-tests");
        var binary = Path.Combine(cacheDir, $"helmrender-{hash.ToLowerInvariant()}");
        if (File.Exists(binary))
        {
            return binary;
        }

        Directory.CreateDirectory(cacheDir);
        var partial = $"{binary}.{Environment.ProcessId}.tmp";
        var result = ProcessRunner.Run("sh", [buildScript, partial], TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0 || !File.Exists(partial))
        {
            throw new InvalidOperationException($"building helmrender failed ({result.ExitCode}):\n{result.StdOut}\n{result.StdErr}");
        }

        // Atomic publish: another test run building at the same time ends with the same file.
        File.Move(partial, binary, overwrite: true);
        return binary;
    }
}
