using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Users.Reliability;

/// <summary>One request's outcome: status (-1 transport error or timeout, -2 shed by the harness), latency, start offset.</summary>
internal sealed record Sample(string Kind, int Status, double Ms, double AtSeconds, bool RetryAfter);

/// <summary>
/// An open-model load generator: requests start on a fixed schedule whatever the server's speed (so a slow server
/// faces a growing backlog, as with real users), bounded by a duration and a cap on requests in flight.
/// </summary>
internal sealed class Load
{
    private readonly ConcurrentBag<Sample> samples = [];
    private readonly ConcurrentBag<Registration> created = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public Load(Uri baseAddress, string sourceAddress = "127.0.0.1", TimeSpan? timeout = null)
    {
        var local = IPAddress.Parse(sourceAddress);
        Client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = async (context, cancel) =>
            {
                // Bind the client's source address, so two "clients" on loopback are two addresses to the server.
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public IReadOnlyCollection<Sample> Samples => samples;

    public IReadOnlyCollection<Registration> Created => created;

    public double Now => clock.Elapsed.TotalSeconds;

    /// <summary>Runs <paramref name="rate"/> requests a second for <paramref name="duration"/>, then waits for the stragglers.</summary>
    public async Task RunAsync(double rate, TimeSpan duration, double postShare, int maxInFlight = 2000, Func<HttpRequestMessage, HttpRequestMessage>? decorate = null)
    {
        var started = clock.Elapsed;
        var inFlight = new ConcurrentDictionary<int, Task>();
        var total = (int)(rate * duration.TotalSeconds);
        for (var i = 0; i < total; i++)
        {
            var due = started + TimeSpan.FromSeconds(i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var post = Random.Shared.NextDouble() < postShare;
            if (inFlight.Count >= maxInFlight)
            {
                samples.Add(new Sample(post ? "post" : "get", -2, 0, Now, false));
                continue;
            }

            var id = i;
            inFlight[id] = Task.Run(async () =>
            {
                try
                {
                    await SendAsync(post, decorate);
                }
                finally
                {
                    inFlight.TryRemove(id, out _);
                }
            });
        }

        await Task.WhenAll(inFlight.Values.ToArray());
    }

    /// <summary>
    /// A closed loop: <paramref name="clients"/> clients that each send again as soon as answered (no think time), a
    /// request a POST with probability <paramref name="postShare"/>, until <paramref name="duration"/> has passed.
    /// Returns the seconds it ran (to the last answer).
    /// </summary>
    public async Task<double> ClosedLoopAsync(int clients, TimeSpan duration, double postShare)
    {
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (watch.Elapsed < duration)
            {
                await SendAsync(Random.Shared.NextDouble() < postShare);
            }
        }));
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>A valid PNG of one row of <paramref name="width"/> random RGBA pixels.</summary>
    internal static byte[] RandomPng(int width)
    {
        var row = new byte[1 + (4 * width)]; // filter type 0, then the pixels
        Random.Shared.NextBytes(row.AsSpan(1));
        using var compressed = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(row);
        }

        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 1);
        header[8] = 8; // bit depth
        header[9] = 6; // RGBA
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        foreach (var (type, data) in new[] { ("IHDR", header), ("IDAT", compressed.ToArray()), ("IEND", []) })
        {
            var chunk = new byte[12 + data.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
            System.Text.Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
            data.CopyTo(chunk, 8);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
            png.Write(chunk);
        }

        return png.ToArray();
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFFu;
    }

    public async Task<Sample> SendAsync(bool post, Func<HttpRequestMessage, HttpRequestMessage>? decorate = null)
    {
        Registration? registration = null;
        HttpRequestMessage request;
        if (post)
        {
            // Each avatar its own complete image (the service publishes what it can account for, byte for byte: the
            // audit compares), of random pixels and 70 B to 2 KB.
            var avatar = RandomPng(Random.Shared.Next(1, 500));
            registration = new Registration($"load-{Guid.NewGuid():N}@example.com", avatar);
            var form = new MultipartFormDataContent
            {
                { new StringContent("Load Test"), "name" },
                { new StringContent(registration.Email), "email" },
            };
            var file = new ByteArrayContent(avatar);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "avatar", "face.png");
            request = new HttpRequestMessage(HttpMethod.Post, "/user") { Content = form };
        }
        else
        {
            request = new HttpRequestMessage(HttpMethod.Get, "/users?limit=20");
        }

        request = decorate?.Invoke(request) ?? request;
        var at = Now;
        var watch = Stopwatch.StartNew();
        Sample sample;
        try
        {
            using var response = await Client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            sample = new Sample(post ? "post" : "get", (int)response.StatusCode, watch.Elapsed.TotalMilliseconds, at, response.Headers.RetryAfter is not null);
            if (response.StatusCode == HttpStatusCode.Created && registration is not null)
            {
                created.Add(registration);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            sample = new Sample(post ? "post" : "get", -1, watch.Elapsed.TotalMilliseconds, at, false);
        }
        finally
        {
            request.Dispose();
        }

        samples.Add(sample);
        return sample;
    }

    /// <summary>Milliseconds of a GET to <paramref name="path"/>, or null when it failed.</summary>
    public async Task<(int Status, double Ms)> ProbeAsync(string path)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await Client.GetAsync(path);
            return ((int)response.StatusCode, watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return (-1, watch.Elapsed.TotalMilliseconds);
        }
    }
}

internal static class Stats
{
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";

    public static string Statuses(IEnumerable<Sample> samples) =>
        string.Join(", ", samples.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{Name(g.Key)}: {g.Count()}"));

    private static string Name(int status) => status switch
    {
        -1 => "transport error",
        -2 => "shed by harness",
        _ => status.ToString(CultureInfo.InvariantCulture),
    };
}
