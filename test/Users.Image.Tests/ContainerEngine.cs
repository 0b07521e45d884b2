using System.Diagnostics;

namespace Users.Image.Tests;

/// <summary>
/// The container engine's CLI: API_TEST_ENGINE (docker or podman; podman by default, as scripts/test-image.sh picks it).
/// With podman on this project's machines, CONTAINERS_CONF (set by the script) points at the base-image stand-ins' settings.
/// </summary>
public static class ContainerEngine
{
    public static string Name => Environment.GetEnvironmentVariable("API_TEST_ENGINE") is { Length: > 0 } engine ? engine : "podman";

    /// <summary>Runs <c>ENGINE args…</c> to its end (bounded) and returns its exit code and output.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(Name, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Name}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Name} {string.Join(' ', start.ArgumentList)} did not end within {(timeout ?? TimeSpan.FromSeconds(120)).TotalSeconds} s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs <c>ENGINE args…</c> and returns its trimmed standard output; a non-zero exit is an error naming it.</summary>
    public static async Task<string> OutputAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(args);
        return code == 0 ? stdout.Trim() : throw new InvalidOperationException($"{Name} {string.Join(' ', args)} failed ({code}): {stderr.Trim()}");
    }
}
