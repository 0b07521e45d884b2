using System.Diagnostics;
using System.Text;

namespace Users.MakeRun.Tests;

/// <summary>
/// One `make run` as a terminal runs it: in a process group of its own (a new session), so that a SIGINT to the group
/// reaches make and everything under it, like Ctrl-C; on the given loopback ports for the API, /metrics and the
/// emulator (AWS_ENDPOINT_URL unset: make run starts its own); its output kept. Disposal kills what is left of the group.
/// </summary>
public sealed class MakeRunSession : IDisposable
{
    // A background job of a script starts with SIGINT ignored (and a shell cannot trap a signal ignored at entry):
    // restore its default, as a terminal's foreground job has it, before exec'ing make in a new session.
    private const string NewSession =
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])";

    private readonly StringBuilder output = new();
    private readonly Process process;
    private bool stopped;

    public MakeRunSession(int apiPort, int metricsPort, int emulatorPort)
    {
        (ApiPort, MetricsPort, EmulatorPort) = (apiPort, metricsPort, emulatorPort);
        var psi = Processes.Start("python3", ["-c", NewSession, "make", "--no-print-directory", "run"], new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = Api,
            ["METRICS_PORT"] = $"{metricsPort}",
            ["EMULATOR_PORT"] = $"{emulatorPort}",
        });
        psi.Environment.Remove("AWS_ENDPOINT_URL");
        process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Processes.Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Processes.Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Started = Stopwatch.StartNew();
    }

    public int ApiPort { get; }

    public int MetricsPort { get; }

    public int EmulatorPort { get; }

    public string Api => $"http://127.0.0.1:{ApiPort}";

    public Stopwatch Started { get; }

    /// <summary>What make run printed so far.</summary>
    public string Output => Processes.Text(output);

    /// <summary>Whether make run printed a line that starts with this.</summary>
    public bool Printed(string lineStart) => ("\n" + Output).Contains("\n" + lineStart, StringComparison.Ordinal);

    /// <summary>A failure message with make run's output under it.</summary>
    public string Explain(string what) => $"{what}\n--- make run output:\n{Output}";

    /// <summary>Whether any process of the group is still running.</summary>
    public async Task<bool> RunningAsync() => (await Processes.RunAsync("pgrep", ["-g", $"{process.Id}"])).ExitCode == 0;

    /// <summary>Ctrl-C: SIGINT to the group, then waits up to a minute for every process of it to end.</summary>
    public async Task<string?> CtrlCAsync()
    {
        await Processes.RunAsync("kill", ["-INT", "--", $"-{process.Id}"]);
        var deadline = Stopwatch.StartNew();
        while (await RunningAsync())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                return $"still running 60 s after Ctrl-C: {(await Processes.RunAsync("pgrep", ["-a", "-g", $"{process.Id}"])).Output.ReplaceLineEndings(";")}";
            }

            await Task.Delay(500);
        }

        stopped = true;
        await process.WaitForExitAsync(); // its output read to the end
        return null;
    }

    public void Dispose()
    {
        if (!stopped)
        {
            Processes.RunAsync("kill", ["-KILL", "--", $"-{process.Id}"]).GetAwaiter().GetResult();
        }

        process.Dispose();
    }
}
