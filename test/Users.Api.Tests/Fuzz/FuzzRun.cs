using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Users.Api.Tests.Fuzz;

/// <summary>
/// How long a property-based fuzz run is: <c>FUZZ_ITERATIONS</c> cases per property (a small default for
/// <c>make test</c>, thousands in <c>make fuzz</c>), from a seed printed on failure by FsCheck so a case can be replayed.
/// </summary>
internal static class FuzzRun
{
    public const int DefaultIterations = 150;

    public static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : DefaultIterations;

    /// <summary>Checks the property for <paramref name="iterations"/> cases; a counter-example fails the test (shrunk, with its seed).</summary>
    public static void Check(Property property, int? iterations = null) =>
        property.Check(Config.QuickThrowOnFailure.WithMaxTest(iterations ?? Iterations).WithEndSize(200));
}
