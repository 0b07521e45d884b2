using System.Text.RegularExpressions;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Benchmarks;

/// <summary>
/// bench/Users.Layers (the layer table of docs/performance.md) measures the service with layers left out; it is only a
/// measure of the service while it composes what UsersApi.cs composes. Every call of the composition root must be
/// there, so that a new layer cannot be missing from the table unseen.
/// </summary>
public sealed partial class LayersBenchmarkTests
{
    [Fact]
    public void The_layers_benchmark_makes_every_call_of_the_composition_root()
    {
        var root = RepoPaths.Root;
        var composition = File.ReadAllText(Path.Combine(root, "src", "Users.Functions", "UsersApi.cs"));
        var layers = File.ReadAllText(Path.Combine(root, "bench", "Users.Layers", "Program.cs"));

        var calls = Call().Matches(composition).Select(m => m.Groups["name"].Value).Where(n => n is not "ThrowIfNull").Distinct().ToList();
        Assert.Contains("AddUsersTelemetry", calls); // the pattern finds the calls
        Assert.True(calls.Count >= 15, string.Join(", ", calls));
        var missing = calls.Where(call => !layers.Contains(call, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "not in bench/Users.Layers/Program.cs: " + string.Join(", ", missing));
    }

    [GeneratedRegex(@"\.(?<name>(Add|Use|Map)[A-Za-z]+)(<[A-Za-z]+>)?\(")]
    private static partial Regex Call();
}
