using System.Diagnostics;
using System.Globalization;

namespace Users.LambdaEmulator;

/// <summary>What to run as the function, and its Lambda environment.</summary>
public sealed class FunctionOptions
{
    /// <summary>The function: an executable (a `bootstrap`) or a .dll run with `dotnet`.</summary>
    public required string Path { get; init; }

    public string FunctionName { get; init; } = "users-api";

    public int MemorySizeMb { get; init; } = 512;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(29);

    /// <summary>Extra environment variables for the function process (on top of the emulator's own).</summary>
    public IDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Where the function's stdout/stderr lines go (default: the emulator's console).</summary>
    public Action<string>? Output { get; init; }
}

/// <summary>
/// The function's execution environment: one process started with AWS_LAMBDA_RUNTIME_API, started again after it exits
/// or after a timeout (the Lambda service replaces a sandbox that timed out).
/// </summary>
public sealed class FunctionProcess(FunctionOptions options, RuntimeApiEmulator runtime) : IAsyncDisposable
{
    private readonly Lock gate = new();
    private Process? process;
    private int starts;

    /// <summary>How many times the function process was started.</summary>
    public int Starts => Volatile.Read(ref starts);

    /// <summary>When the last process was started (for cold-start measurements).</summary>
    public long LastStartTimestamp { get; private set; }

    public int? ProcessId
    {
        get
        {
            lock (gate)
            {
                return process is { HasExited: false } p ? p.Id : null;
            }
        }
    }

    public void EnsureRunning()
    {
        lock (gate)
        {
            if (process is { HasExited: false })
            {
                return;
            }

            process?.Dispose();
            process = Start();
        }
    }

    /// <summary>Kills the running process (after a timeout); the next invocation starts a new one.</summary>
    public void Recycle()
    {
        lock (gate)
        {
            Kill(process);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Process? running;
        lock (gate)
        {
            running = process;
            process = null;
        }

        if (running is not null)
        {
            Kill(running);
            await running.WaitForExitAsync();
            running.Dispose();
        }
    }

    private Process Start()
    {
        var path = System.IO.Path.GetFullPath(options.Path);
        var isDll = path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(isDll ? "dotnet" : path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = System.IO.Path.GetDirectoryName(path)!,
        };
        if (isDll)
        {
            start.ArgumentList.Add(path);
        }

        var env = start.Environment;
        env["AWS_LAMBDA_RUNTIME_API"] = runtime.RuntimeApi;
        env["AWS_LAMBDA_FUNCTION_NAME"] = options.FunctionName;
        env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
        env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = options.MemorySizeMb.ToString(CultureInfo.InvariantCulture);
        env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + options.FunctionName;
        env["AWS_LAMBDA_LOG_STREAM_NAME"] = "local";
        env["LAMBDA_TASK_ROOT"] = start.WorkingDirectory;
        env["_HANDLER"] = "bootstrap";
        env["AWS_EXECUTION_ENV"] = "AWS_Lambda_provided.al2023";
        // The function serves invocations, not sockets: no stray Kestrel URL settings.
        env.Remove("ASPNETCORE_URLS");
        env.Remove("ASPNETCORE_HTTP_PORTS");
        foreach (var (name, value) in options.Environment)
        {
            if (value is null)
            {
                env.Remove(name);
            }
            else
            {
                env[name] = value;
            }
        }

        var output = options.Output ?? Console.WriteLine;
        var started = new Process { StartInfo = start, EnableRaisingEvents = true };
        started.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output(e.Data);
            }
        };
        started.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output(e.Data);
            }
        };
        started.Exited += (_, _) => runtime.FailAll(InvocationStatus.ProcessExited, "Runtime.ExitError");
        LastStartTimestamp = Stopwatch.GetTimestamp();
        started.Start();
        Interlocked.Increment(ref starts);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        return started;
    }

    private static void Kill(Process? target)
    {
        try
        {
            if (target is { HasExited: false })
            {
                target.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
