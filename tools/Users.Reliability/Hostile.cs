using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Users.Reliability;

/// <summary>Clients that misbehave on purpose, over raw sockets.</summary>
internal static class Hostile
{
    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return client;
    }

    /// <summary>Headers that never end, a line a second. Returns the seconds until the server cut it, or null if it never did.</summary>
    public static async Task<double?> SlowlorisAsync(int port, CancellationToken stop)
    {
        using var client = await ConnectAsync(port);
        var stream = client.GetStream();
        var watch = Stopwatch.StartNew();
        try
        {
            await stream.WriteAsync("GET /users HTTP/1.1\r\nHost: x\r\n"u8.ToArray(), CancellationToken.None);
            for (var i = 0; !stop.IsCancellationRequested || watch.Elapsed < TimeSpan.FromSeconds(30); i++)
            {
                if (Closed(client))
                {
                    return watch.Elapsed.TotalSeconds;
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes($"X-Slow-{i}: 1\r\n"), CancellationToken.None);
                await Task.Delay(1000, CancellationToken.None);
            }
        }
        catch (IOException)
        {
            return watch.Elapsed.TotalSeconds;
        }

        return null;
    }

    /// <summary>A body at 2 bytes a second. Returns the seconds until the server cut it, or null.</summary>
    public static async Task<double?> TrickleAsync(int port, CancellationToken stop)
    {
        using var client = await ConnectAsync(port);
        var stream = client.GetStream();
        var watch = Stopwatch.StartNew();
        try
        {
            await stream.WriteAsync("POST /user HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000000\r\n\r\n"u8.ToArray(), CancellationToken.None);
            while (!stop.IsCancellationRequested || watch.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (Closed(client))
                {
                    return watch.Elapsed.TotalSeconds;
                }

                await stream.WriteAsync("x"u8.ToArray(), CancellationToken.None);
                await Task.Delay(500, CancellationToken.None);
            }
        }
        catch (IOException)
        {
            return watch.Elapsed.TotalSeconds;
        }

        return null;
    }

    /// <summary>Connects and says nothing until told to stop. True when the connection was accepted and held.</summary>
    public static async Task<bool> IdleAsync(int port, CancellationToken stop)
    {
        try
        {
            using var client = await ConnectAsync(port);
            await Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            return !Closed(client);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static async Task<int> HugeHeadersAsync(int port)
    {
        var request = new StringBuilder("GET /users HTTP/1.1\r\nHost: x\r\n");
        for (var i = 0; i < 16; i++)
        {
            request.Append(CultureInfo.InvariantCulture, $"X-Big-{i}: ").Append('a', 4096).Append("\r\n");
        }

        return await SendAsync(port, Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));
    }

    public static async Task<int> ManyPartsAsync(int port)
    {
        var body = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $"--b\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nx\r\n");
        }

        body.Append("--b--\r\n");
        var head = $"POST /user HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        return await SendAsync(port, Encoding.ASCII.GetBytes(head + body));
    }

    /// <summary>A chunked body sent as fast as possible, forever: the request-body limit must end it.</summary>
    public static async Task<int> EndlessBodyAsync(int port, CancellationToken stop)
    {
        using var client = await ConnectAsync(port);
        var stream = client.GetStream();
        await stream.WriteAsync("POST /user HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray(), CancellationToken.None);
        var chunk = Encoding.ASCII.GetBytes("10000\r\n" + "--b\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a.png\"\r\n\r\n".PadRight(0x10000, 'x') + "\r\n");
        var sent = 0L;
        try
        {
            while (sent < 64L * 1024 * 1024 && !Closed(client))
            {
                await stream.WriteAsync(chunk, CancellationToken.None);
                sent += chunk.Length;
            }
        }
        catch (IOException)
        {
        }

        return await ReadStatusAsync(stream);
    }

    private static async Task<int> SendAsync(int port, byte[] request)
    {
        using var client = await ConnectAsync(port);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request);
        }
        catch (IOException)
        {
        }

        return await ReadStatusAsync(stream);
    }

    private static async Task<int> ReadStatusAsync(NetworkStream stream)
    {
        var buffer = new byte[12];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (read < 12)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
        }

        return read == 12 && int.TryParse(Encoding.ASCII.GetString(buffer, 9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : -1;
    }

    private static bool Closed(TcpClient client) =>
        client.Client.Poll(0, SelectMode.SelectRead) && client.Client.Available == 0;

    /// <summary>A mutated registration form and a Content-Type, from the given random source.</summary>
    public static (string ContentType, byte[] Body) FuzzCase(Random random)
    {
        var parts = new List<string>();
        var names = new[] { "name", "email", "avatar", "other", string.Empty };
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            var name = names[random.Next(names.Length)];
            var value = name switch
            {
                "email" => random.Next(3) == 0 ? "not-an-email" : $"fuzz-{random.Next()}@example.com",
                "avatar" => Encoding.Latin1.GetString([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Enumerable.Range(0, random.Next(0, 200)).Select(_ => (byte)random.Next(256))]),
                _ => new string((char)random.Next(1, 0x2FF), random.Next(0, 120)),
            };
            var filename = name == "avatar" ? "; filename=\"a.png\"" : string.Empty;
            parts.Add($"--fz\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n{value}\r\n");
        }

        var body = Encoding.Latin1.GetBytes(string.Concat(parts) + (random.Next(4) == 0 ? string.Empty : "--fz--\r\n")).ToList();
        for (var edits = random.Next(0, 5); edits > 0 && body.Count > 0; edits--)
        {
            var at = random.Next(body.Count);
            switch (random.Next(5))
            {
                case 0:
                    body[at] = (byte)random.Next(256);
                    break;
                case 1:
                    body.RemoveRange(at, body.Count - at);
                    break;
                case 2:
                    body.InsertRange(at, Enumerable.Range(0, random.Next(1, 32)).Select(_ => (byte)random.Next(256)));
                    break;
                case 3:
                    body.InsertRange(at, "\r\n--fz\r\n"u8.ToArray());
                    break;
                default:
                    body.RemoveRange(at, Math.Min(body.Count - at, random.Next(1, 32)));
                    break;
            }
        }

        var contentTypes = new[] { "multipart/form-data; boundary=fz", "multipart/form-data; boundary=fz", "multipart/form-data; boundary=fz", "multipart/form-data", "application/json", "multipart/form-data; boundary=\"fz\"" };
        return (contentTypes[random.Next(contentTypes.Length)], [.. body]);
    }
}
