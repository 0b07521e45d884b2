using System.Net;
using System.Net.Sockets;

namespace Users.Api.Tests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder between the app and the emulator, so a test can take the backend away and bring
/// it back on the same address without losing the emulator's data: <see cref="Stop"/> refuses connections
/// (a stopped backend), <see cref="BlackHole"/> accepts them and never answers (a hung backend).
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint target;
    private readonly List<TcpClient> connections = [];
    private readonly Lock sync = new();
    private TcpListener? listener;
    private CancellationTokenSource? running;
    private volatile bool blackHole;

    public TcpProxy(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        this.target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        Port = MotoServer.FreePort();
        Start();
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    /// <summary>Accepts connections and forwards them.</summary>
    public void Start()
    {
        lock (sync)
        {
            blackHole = false;
            if (listener is not null)
            {
                return;
            }

            running = new CancellationTokenSource();
            listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _ = AcceptLoopAsync(listener, running.Token);
        }
    }

    /// <summary>Closes the port and every open connection: new connections are refused.</summary>
    public void Stop()
    {
        lock (sync)
        {
            running?.Cancel();
            running?.Dispose();
            running = null;
            listener?.Stop();
            listener?.Dispose();
            listener = null;
            foreach (var connection in connections)
            {
                connection.Dispose();
            }

            connections.Clear();
        }
    }

    /// <summary>Keeps accepting connections but never forwards or answers them.</summary>
    public void BlackHole()
    {
        Start();
        blackHole = true;
        lock (sync)
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }

            connections.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync(TcpListener server, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await server.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (sync)
            {
                connections.Add(client);
            }

            if (!blackHole)
            {
                _ = ForwardAsync(client, cancellationToken);
            }
        }
    }

    private async Task ForwardAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(target, cancellationToken);
            lock (sync)
            {
                connections.Add(upstream);
            }

            var down = client.GetStream();
            var up = upstream.GetStream();
            await Task.WhenAny(down.CopyToAsync(up, cancellationToken), up.CopyToAsync(down, cancellationToken));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ends; the client sees a reset, as with a real failing backend.
        }
        finally
        {
            lock (sync)
            {
                connections.Remove(client);
                connections.Remove(upstream);
            }

            client.Dispose();
        }
    }
}
