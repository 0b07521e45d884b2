using BenchmarkDotNet.Running;

namespace Users.Benchmarks;

/// <summary>
/// <c>make bench-micro</c> (<c>BENCH_FILTER='*List*'</c> for one class); every argument is BenchmarkDotNet's
/// (<c>--list flat</c>, <c>--filter</c>, <c>--job</c>). A namespaced class, not top-level statements: the test project
/// that runs each benchmark once also sees Users.Functions' public <c>Program</c>.
/// </summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
