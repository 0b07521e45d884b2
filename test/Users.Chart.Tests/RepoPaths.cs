using System.Reflection;
namespace Users.Chart.Tests;

/// <summary>Locations in the repository, from the repository root stamped into the test assembly (Directory.Build.props).</summary>
internal static class RepoPaths
{
    public static string RepoRoot { get; } = typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static string ChartDir => Path.Combine(RepoRoot, "helm", "users-api");

    public static string ChartFile(string name) => Path.Combine(ChartDir, name);

    /// <summary>The profiles shipped with the chart: values-*.yaml beside values.yaml.</summary>
    public static IReadOnlyList<string> ProfileValuesFiles() =>
        Directory.GetFiles(ChartDir, "values-*.yaml").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
}
