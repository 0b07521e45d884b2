using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Users.Lambda.Tests;

/// <summary>
/// The SAM templates as `sam build` and `sam deploy` take them (the sam step runs these first, scripts/test-sam.sh):
/// cfn-lint (with the SAM translator) finds nothing in template.yaml (HTTP API) nor template-rest.yaml (REST API); the
/// REST variant differs only in its API, so its parameters, function settings, sweep function, alarms and output are
/// the same text; and the sweep function is the same artifact as the API function (the same make target).
/// </summary>
public sealed partial class SamTemplateTests
{
    public static readonly string RepoRoot = typeof(SamTemplateTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    [Fact]
    public void Cfn_lint_finds_nothing_in_either_template()
    {
        var (exit, output) = Run("cfn-lint", "template.yaml", "template-rest.yaml");
        Assert.True(exit == 0, $"cfn-lint template.yaml template-rest.yaml (exit {exit}):\n{output}");
    }

    [Fact]
    public void The_REST_template_has_the_same_parameters_and_function_settings()
    {
        // Parameters and Globals: everything from Parameters: to Resources:.
        static string Head(string template)
        {
            var lines = Lines(template);
            var from = Array.FindIndex(lines, l => l.StartsWith("Parameters:", StringComparison.Ordinal));
            var to = Array.FindIndex(lines, Math.Max(from, 0), l => l.StartsWith("Resources:", StringComparison.Ordinal));
            Assert.True(from >= 0 && to > from, $"{template}: no Parameters: before Resources:");
            return string.Join('\n', lines[from..(to + 1)]);
        }

        Assert.True(Head("template.yaml") == Head("template-rest.yaml"), "template-rest.yaml's Parameters/Globals differ from template.yaml's (copy the change across)");
    }

    [Theory]
    [InlineData("UsersSweepFunction")]
    [InlineData("SweepErrorsAlarm")]
    [InlineData("SweepOrphansFoundAlarm")]
    [InlineData("SweepFunctionName")]
    public void The_sweep_function_its_alarms_and_its_output_are_the_same_text_in_both_templates(string name)
    {
        var block = Block("template.yaml", name);
        Assert.True(block.Length > 0, $"template.yaml has no {name}");
        Assert.True(block == Block("template-rest.yaml", name), $"template-rest.yaml's {name} differs from template.yaml's (copy the change across)");
    }

    [Fact]
    public void The_sweep_functions_build_target_publishes_the_same_bootstrap_as_the_api_functions()
    {
        var api = Run("make", "-n", "build-UsersApiFunction", "ARTIFACTS_DIR=/x");
        var sweep = Run("make", "-n", "build-UsersSweepFunction", "ARTIFACTS_DIR=/x");
        Assert.True(api.Exit == 0 && sweep.Exit == 0, $"make -n: {api.Output}\n{sweep.Output}");
        Assert.True(api.Output == sweep.Output, $"make build-UsersSweepFunction does not publish the same bootstrap as build-UsersApiFunction:\n{api.Output}\n---\n{sweep.Output}");
    }

    private static string[] Lines(string template) => File.ReadAllText(Path.Combine(RepoRoot, template)).Split('\n');

    /// <summary>A resource or output (two spaces in, <c>  Name:</c>) up to the next key at its level or above, or an empty string.</summary>
    private static string Block(string template, string name)
    {
        var lines = Lines(template);
        var from = Array.IndexOf(lines, $"  {name}:");
        return from < 0 ? string.Empty : string.Join('\n', lines.Skip(from + 1).TakeWhile(l => !NextKey().IsMatch(l)).Prepend(lines[from]));
    }

    [GeneratedRegex("^(  )?[A-Za-z#]")]
    private static partial Regex NextKey();

    private static (int Exit, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { WorkingDirectory = RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }

}
