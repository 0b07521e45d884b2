using System.Collections.Concurrent;
using System.Diagnostics;

namespace Users.Api.Tests.Infrastructure;

/// <summary>
/// The built app (<c>Users.Functions.dll</c>) as its own process on a loopback port, exactly as <c>make run</c>
/// starts it, with its stdout and stderr captured line by line. API_TEST_APP=/path/to/executable runs a published
/// native build instead (the Native AOT executable the container image ships; scripts/test-sam.sh does this).
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> stdout = new();
    private readonly ConcurrentQueue<string> stderr = new();

    private AppProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { stdout.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { stderr.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public IReadOnlyList<string> StandardOutput => [.. stdout];

    public IReadOnlyList<string> StandardError => [.. stderr];

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>The app under test: API_TEST_APP (a native executable or a .dll), or the app built with the tests.</summary>
    public static string AppPath =>
        Environment.GetEnvironmentVariable("API_TEST_APP") is { Length: > 0 } published
            ? Path.GetFullPath(published)
            : Path.Combine(AppContext.BaseDirectory, "Users.Functions.dll");

    /// <summary>
    /// Starts the app; from <paramref name="workingDirectory"/> when given (as <c>make run</c> does), else its own folder;
    /// with <paramref name="arguments"/> on its command line (e.g. <c>sweep</c>).
    /// </summary>
    public static AppProcess Start(IReadOnlyDictionary<string, string> settings, string? workingDirectory = null, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var port = MotoServer.FreePort();
        var app = AppPath;
        var start = app.EndsWith(".dll", StringComparison.Ordinal) ? new ProcessStartInfo("dotnet", [app, .. arguments ?? []]) : new ProcessStartInfo(app, arguments ?? []);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(app) ?? AppContext.BaseDirectory;
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        // Processes run side by side: none binds the default management port unless a test gives it one.
        start.Environment["METRICS_PORT"] = "0";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the app");
        return new AppProcess(process, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Waits until the app answers /health/live, or fails with what it printed.</summary>
    public async Task WaitUntilLiveAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Wait.Until(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The app exited with {process.ExitCode}: {string.Join('\n', StandardError)}");
                }

                try
                {
                    // A first request slower than the client timeout (JIT on a busy machine) is "not yet", not a failure.
                    using var response = await http.GetAsync(new Uri(Address, "/health/live"));
                    return response.IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false; // not listening yet, or too busy starting to answer within the probe's timeout
                }
            },
            TimeSpan.FromSeconds(30),
            "the app to answer /health/live");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        process.WaitForExit(); // flushes the redirected streams
        return process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as Kubernetes and `docker stop` do.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Sends SIGKILL, as the OOM killer, a lost node or `kill -9` do: nothing runs after it, no drain, no last pass.</summary>
    public async Task KillAsync()
    {
        Signal("KILL");
        await WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
