using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Users.Api.Tests.Infrastructure;

/// <summary>
/// A real reverse proxy (haproxy, from apt: scripts/ci-setup.sh installs it) standing where the EKS profile's ALB
/// stands: clients connect to it, it connects to the pod from an address of its own (<see cref="SourceAddress"/>,
/// which a test lists in <c>TRUSTED_PROXIES</c> in place of the VPC CIDR) and adds the address it saw the client
/// connect from to <c>X-Forwarded-For</c>, after whatever the client sent, as the ALB does in its default
/// <c>append</c> mode. All on loopback: Linux routes the whole of 127.0.0.0/8 there, so each party can have an
/// address of its own (see <see cref="ClientFrom"/>).
/// </summary>
public sealed class AlbStandIn : IAsyncDisposable
{
    private readonly Process process;
    private readonly string directory;
    private readonly ConcurrentQueue<string> output = new();

    private AlbStandIn(Process process, string directory, Uri address)
    {
        this.process = process;
        this.directory = directory;
        Address = address;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Where clients connect.</summary>
    public Uri Address { get; }

    /// <summary>The address the proxy connects to the API from.</summary>
    public static IPAddress SourceAddress { get; } = IPAddress.Parse("127.0.0.2");

    /// <summary>Starts haproxy in front of <paramref name="target"/> (a loopback http:// URL) and waits until it accepts connections.</summary>
    public static async Task<AlbStandIn> StartAsync(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var port = MotoServer.FreePort();
        var directory = Directory.CreateTempSubdirectory("users-alb-").FullName;
        var config = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            global
              maxconn 64
            defaults
              mode http
              timeout connect 5s
              timeout client 30s
              timeout server 30s
            frontend alb
              bind 127.0.0.1:{port}
              # Adds X-Forwarded-For: <the client's address> after any the client sent.
              option forwardfor
              default_backend pods
            backend pods
              server pod {target.Host}:{target.Port} source {SourceAddress}

            """));

        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo("haproxy", ["-f", config, "-db"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("haproxy did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException("haproxy is required (apt-get install haproxy; scripts/ci-setup.sh installs it)", e);
        }

        var alb = new AlbStandIn(process, directory, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await Wait.Until(alb.AcceptsAsync, TimeSpan.FromSeconds(15), "haproxy to accept connections");
        }
        catch
        {
            await alb.DisposeAsync();
            throw;
        }

        return alb;
    }

    /// <summary>An HTTP client whose connections leave from <paramref name="source"/> (a loopback address), to <paramref name="baseAddress"/>.</summary>
    public static HttpClient ClientFrom(string source, Uri baseAddress)
    {
        var local = new IPEndPoint(IPAddress.Parse(source), 0);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancel) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(local);
                    await socket.ConnectAsync(context.DnsEndPoint, cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private async Task<bool> AcceptsAsync()
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"haproxy exited with {process.ExitCode}: {string.Join('\n', output)}");
        }

        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Address.Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
