using System.Globalization;
using System.Net;
using System.Text;

namespace Users.Api.Tests.Credentials;

/// <summary>A tiny HTTP server on a free loopback port that answers every request with a handler (System.Net.HttpListener).</summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Func<HttpListenerRequest, (int Status, string ContentType, string Body)> handler;
    private readonly Task loop;

    public LocalHttpServer(Func<HttpListenerRequest, (int Status, string ContentType, string Body)> handler)
    {
        this.handler = handler;
        var port = Infrastructure.MotoServer.FreePort();
        Address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        listener.Prefixes.Add(Address.ToString());
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public Uri Address { get; }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        try
        {
            await loop;
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var (status, contentType, body) = handler(context.Request);
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}

/// <summary>
/// A stand-in for the EKS Pod Identity agent (169.254.170.23 on a node; any loopback address is accepted by the SDK
/// over http): answers only when the Authorization header equals the projected token, with credentials that expire
/// <see cref="Lifetime"/> after issue, and counts what it served.
/// </summary>
public sealed class PodIdentityAgent : IAsyncDisposable
{
    private readonly LocalHttpServer server;
    private readonly string token;
    private readonly System.Collections.Concurrent.ConcurrentQueue<DateTime> fetchTimes = new();
    private int served;
    private int refused;
    private long lastExpiryTicks;

    public PodIdentityAgent(string token, TimeSpan lifetime)
    {
        this.token = token;
        Lifetime = lifetime;
        server = new LocalHttpServer(Answer);
    }

    /// <summary>What AWS_CONTAINER_CREDENTIALS_FULL_URI points at.</summary>
    public Uri CredentialsUri => new(server.Address, "v1/credentials");

    public TimeSpan Lifetime { get; }

    public int Served => Volatile.Read(ref served);

    public int Refused => Volatile.Read(ref refused);

    /// <summary>When each authorized fetch happened, in order.</summary>
    public IReadOnlyList<DateTime> FetchTimes => [.. fetchTimes];

    /// <summary>The expiry of the credentials served last.</summary>
    public DateTime LastExpiry => new(Interlocked.Read(ref lastExpiryTicks), DateTimeKind.Utc);

    public ValueTask DisposeAsync() => server.DisposeAsync();

    private (int, string, string) Answer(HttpListenerRequest request)
    {
        if (request.HttpMethod != "GET" || request.Url?.AbsolutePath != "/v1/credentials" || request.Headers["Authorization"] != token)
        {
            Interlocked.Increment(ref refused);
            return (401, "application/json", """{"Code":"AccessDenied","Message":"bad authorization token"}""");
        }

        var now = DateTime.UtcNow;
        fetchTimes.Enqueue(now);
        var number = Interlocked.Increment(ref served);
        // Whole seconds, as the expiry is written: the SDK sees exactly this instant.
        var expiry = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc) + Lifetime;
        Interlocked.Exchange(ref lastExpiryTicks, expiry.Ticks);
        var body = $$"""
            {"AccessKeyId":"ASIAPODIDENTITY{{number:D5}}","SecretAccessKey":"pod-identity-secret-{{number}}","Token":"pod-identity-session-{{number}}","AccountId":"123456789012","Expiration":"{{expiry.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}"}
            """;
        return (200, "application/json", body);
    }
}
