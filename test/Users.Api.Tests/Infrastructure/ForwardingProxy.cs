using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Users.Api.Tests.Infrastructure;

/// <summary>
/// An HTTP reverse proxy on a free loopback port in front of the emulator: every request is forwarded unchanged unless
/// <see cref="InterceptAsync"/> answers it (a fault, a record). Unlike <see cref="TcpProxy"/> it sees each AWS call, so a
/// test can fail one service (DynamoDB by its X-Amz-Target) while the other (S3) answers.
/// </summary>
public abstract class ForwardingProxy : IAsyncDisposable
{
    private WebApplication? app;
    private HttpClient? upstream;

    public Uri Endpoint { get; private set; } = null!;

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync(TimeSpan.FromSeconds(2));
            await app.DisposeAsync();
        }

        upstream?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts forwarding to <paramref name="emulator"/>.</summary>
    protected async Task ListenAsync(Uri emulator)
    {
        var port = MotoServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        app = builder.Build();
        upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = emulator, Timeout = Timeout.InfiniteTimeSpan };
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        app.Run(HandleAsync);
        await app.StartAsync();
    }

    /// <summary>Answers the request itself (true), or lets it through (false). <paramref name="body"/> is the request's.</summary>
    protected abstract Task<bool> InterceptAsync(HttpContext context, ReadOnlyMemory<byte> body);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        if (await InterceptAsync(context, body.GetBuffer().AsMemory(0, (int)body.Length)))
        {
            return;
        }

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), (request.Path.Value ?? "/") + request.QueryString.Value);
        body.Position = 0;
        message.Content = body.Length > 0 ? new StreamContent(body) : null;
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        message.Headers.Host = request.Host.Value;
        try
        {
            using var response = await upstream!.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            context.Abort();
        }
    }
}

/// <summary>How the <see cref="DynamoDbOutageProxy"/> treats DynamoDB calls.</summary>
public enum DynamoDbOutage
{
    /// <summary>Forwarded: DynamoDB answers.</summary>
    None,

    /// <summary>The connection is reset unanswered, as when DynamoDB cannot be reached: the call fails at once.</summary>
    Reset,

    /// <summary>Accepted and never answered, as when DynamoDB hangs: the call waits for the client's own timeout.</summary>
    Hang,
}

/// <summary>A <see cref="ForwardingProxy"/> that takes DynamoDB away (<see cref="Outage"/>) while S3 still answers.</summary>
public sealed class DynamoDbOutageProxy : ForwardingProxy
{
    private volatile DynamoDbOutage outage;
    private int failed;

    public DynamoDbOutage Outage
    {
        get => outage;
        set => outage = value;
    }

    /// <summary>DynamoDB requests reset or held so far.</summary>
    public int Failed => Volatile.Read(ref failed);

    public static async Task<DynamoDbOutageProxy> StartAsync(Uri emulator)
    {
        var proxy = new DynamoDbOutageProxy();
        await proxy.ListenAsync(emulator);
        return proxy;
    }

    protected override async Task<bool> InterceptAsync(HttpContext context, ReadOnlyMemory<byte> body)
    {
        var mode = outage;
        if (mode == DynamoDbOutage.None || !context.Request.Headers.ContainsKey("X-Amz-Target"))
        {
            return false;
        }

        Interlocked.Increment(ref failed);
        if (mode == DynamoDbOutage.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up (or the proxy stops).
            }
        }

        context.Abort();
        return true;
    }
}
