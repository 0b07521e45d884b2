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
        var start = new ProcessStartInfo("moto_server", ["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
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

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
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
