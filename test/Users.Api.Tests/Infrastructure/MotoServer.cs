using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Users.Api.Tests.Infrastructure;

/// <summary>
/// A real <c>moto_server</c> (AWS emulator) on a free loopback port, shared by every test in the run and
/// stopped when the test process exits. Each fixture creates its own table and bucket in it.
/// </summary>
public sealed class MotoServer : IDisposable
{
    /// <summary>
    /// Runs moto_server as its child and stops it when its stdin (a pipe only this test process holds) reaches end of
    /// file: when the test process is gone, however it went. ProcessExit alone is not enough — the test platform kills
    /// a test host that is slow to exit, and a killed process runs no handlers, which left moto_servers running.
    /// </summary>
    private const string Leash = """
        import subprocess, sys, threading
        moto = subprocess.Popen(["moto_server", *sys.argv[1:]], stdin=subprocess.DEVNULL)
        def leash():
            sys.stdin.buffer.read()
            moto.terminate()
        threading.Thread(target=leash, daemon=True).start()
        sys.exit(moto.wait())
        """;

    private static readonly Lazy<MotoServer> SharedInstance = new(() => Start(), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Process process;

    private MotoServer(Process process, Uri endpoint)
    {
        this.process = process;
        Endpoint = endpoint;
    }

    public static MotoServer Shared => SharedInstance.Value;

    public Uri Endpoint { get; }

    public static MotoServer Start()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("python3", ["-c", Leash, "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start; is it installed (pip install 'moto[server]')?");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new MotoServer(process, new Uri($"http://127.0.0.1:{port}"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        Wait.Until(() => server.AnswersAsync(), TimeSpan.FromSeconds(60), "moto_server to answer").GetAwaiter().GetResult();
        return server;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Closes this process's end of the leash, as the kernel does when the test process dies.</summary>
    /// <returns>True if the emulator then exited within <paramref name="timeout"/>.</returns>
    public bool DropLeash(TimeSpan timeout)
    {
        process.StandardInput.Close();
        return process.WaitForExit(timeout);
    }

    public void Dispose()
    {
        try
        {
            // Through the leash first, so the wrapper reaps moto_server (killed together, moto_server would be left
            // to an init that may not reap it); killed only if that does not end it.
            if (!process.HasExited && !DropLeash(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    private async Task<bool> AnswersAsync()
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"moto_server exited with code {process.ExitCode}.");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(new Uri(Endpoint, "/moto-api/"));
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
