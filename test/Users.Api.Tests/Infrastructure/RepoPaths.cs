using System.Reflection;

namespace Users.Api.Tests.Infrastructure;

/// <summary>The repository's root, stamped into the test assembly at build time (Directory.Build.props), for its files.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static string Of(string relative) => Path.Combine(Root, relative);
}
