using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Users.Api.Tests.Reliability;

/// <summary>
/// A client that speaks HTTP/1.1 by hand over a socket, to behave the way no HttpClient would: stop half-way
/// through the headers, trickle a body, hold a request open.
/// </summary>
internal sealed class RawHttp : IAsyncDisposable
{
    private readonly TcpClient client;
    private readonly NetworkStream stream;

    private RawHttp(TcpClient client)
    {
        this.client = client;
        stream = client.GetStream();
    }

    public static async Task<RawHttp> ConnectAsync(Uri baseAddress)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        return new RawHttp(client);
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    /// <summary>Sends a byte every <paramref name="interval"/> until the server closes the connection or answers; returns how long it took.</summary>
    public async Task<TimeSpan> TrickleUntilCutAsync(TimeSpan interval, TimeSpan giveUp)
    {
        var started = Stopwatch.StartNew();
        while (started.Elapsed < giveUp)
        {
            try
            {
                await stream.WriteAsync("x"u8.ToArray());
                await stream.FlushAsync();
            }
            catch (IOException)
            {
                return started.Elapsed;
            }

            if (client.Client.Poll(0, SelectMode.SelectRead))
            {
                return started.Elapsed;
            }

            // Pacing of the hostile client, not synchronisation: the server's data-rate check is what is under test.
            await Task.Delay(interval);
        }

        throw new TimeoutException($"The server did not cut a trickled body within {giveUp.TotalSeconds} s.");
    }

    /// <summary>Sends a byte every <paramref name="interval"/> until the server answers; its status, what it sent (the head at least) and when. A cut connection is (null, "").</summary>
    public async Task<(int? Status, string Body, TimeSpan After)> TrickleUntilAnsweredAsync(TimeSpan interval, TimeSpan giveUp)
    {
        var started = Stopwatch.StartNew();
        while (started.Elapsed < giveUp)
        {
            if (stream.DataAvailable)
            {
                var buffer = new byte[8192];
                var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
                var text = Encoding.ASCII.GetString(buffer, 0, read);
                return (Status(text), text, started.Elapsed);
            }

            try
            {
                await stream.WriteAsync("x"u8.ToArray());
            }
            catch (IOException)
            {
                return (null, string.Empty, started.Elapsed);
            }

            // Pacing of the slow client, not synchronisation: the server's deadline is what is under test.
            await Task.Delay(interval);
        }

        throw new TimeoutException($"No answer to a trickled body within {giveUp.TotalSeconds} s.");
    }

    /// <summary>Reads until <paramref name="marker"/> has arrived (e.g. a <c>100 Continue</c> showing the app started reading the body).</summary>
    public async Task ReadUntilAsync(string marker, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new StringBuilder();
        var buffer = new byte[1024];
        while (!received.ToString().Contains(marker, StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0)
            {
                throw new IOException($"The server closed the connection before sending '{marker}': {received}");
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    /// <summary>Everything the server sends until it closes the connection (empty when it closes without a word).</summary>
    public async Task<string> ReadToCloseAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(buffer, cancel.Token);
        }
        catch (IOException)
        {
            // A reset after the response (or instead of one) is a cut connection too.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server kept the connection open for more than {timeout.TotalSeconds} s.");
        }

        return Encoding.ASCII.GetString(buffer.ToArray());
    }

    /// <summary>The status code of the first response line, or null when the server sent nothing.</summary>
    public static int? Status(string response) =>
        response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(response.AsSpan(9, 3), provider: null) : null;

    public ValueTask DisposeAsync()
    {
        stream.Dispose();
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
