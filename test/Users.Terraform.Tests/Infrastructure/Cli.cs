using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Users.Terraform.Tests.Infrastructure;

/// <summary>What a command printed and how it ended.</summary>
public sealed record CliResult(string Command, int ExitCode, string StdOut, string StdErr)
{
    public CliResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"`{Command}` exited with {ExitCode}:\n{StdErr}\n{StdOut}");

    public JsonElement Json() => JsonDocument.Parse(StdOut).RootElement.Clone();
}

/// <summary>Runs the command-line tools the tests drive (terraform, the aws CLI, node, python3), bounded in time.</summary>
public static class Cli
{
    public static async Task<CliResult> RunAsync(
        string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var command = $"{fileName} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` did not finish within {timeout ?? TimeSpan.FromMinutes(5)}");
        }

        return new CliResult(command, process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>Locations in the repository, from the repository root stamped into the test assembly (Directory.Build.props).</summary>
public static class RepoPaths
{
    public static string Root { get; } = typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);
}
