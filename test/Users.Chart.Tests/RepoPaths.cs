namespace Users.Chart.Tests;

/// <summary>Locations in the repository, found from the test assembly by walking up to Users.slnx.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Users.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Users.slnx not found above {AppContext.BaseDirectory}");
    });

    public static string RepoRoot => Root.Value;

    public static string ChartDir => Path.Combine(RepoRoot, "helm", "users-api");

    public static string ChartFile(string name) => Path.Combine(ChartDir, name);

    /// <summary>The profiles shipped with the chart: values-*.yaml beside values.yaml.</summary>
    public static IReadOnlyList<string> ProfileValuesFiles() =>
        Directory.GetFiles(ChartDir, "values-*.yaml").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
}
