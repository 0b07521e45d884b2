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
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

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

    public async Task<Sample> SendAsync(bool post, Func<HttpRequestMessage, HttpRequestMessage>? decorate = null)
    {
        Registration? registration = null;
        HttpRequestMessage request;
        if (post)
        {
            var avatar = new byte[Png.Length + Random.Shared.Next(16, 2048)];
            Png.CopyTo(avatar, 0);
            Random.Shared.NextBytes(avatar.AsSpan(Png.Length));
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
