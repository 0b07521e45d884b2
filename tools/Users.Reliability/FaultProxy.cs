using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Users.Reliability;

/// <summary>Which AWS service a fault applies to.</summary>
public enum Target
{
    DynamoDb,
    S3,
}

/// <summary>What the proxy does to the calls of the faulted service.</summary>
public enum FaultKind
{
    None,

    /// <summary>The connection is reset without an answer.</summary>
    Unreachable,

    /// <summary>The call is accepted and never answered.</summary>
    Hung,

    /// <summary>The call is answered after an added delay.</summary>
    Slow,

    /// <summary>A share of the calls is answered with the service's throttling error.</summary>
    Throttling,
}

/// <summary>
/// An HTTP reverse proxy in front of moto_server that the app uses as its AWS endpoint and that can break one
/// service at a time: reset, hang, delay, or throttle a share of its calls (DynamoDB
/// ProvisionedThroughputExceededException, S3 503 SlowDown), as AWS does.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpClient upstream;
    private volatile Fault current = new(FaultKind.None, Target.DynamoDb, TimeSpan.Zero, 0);
    private long calls;
    private long injected;

    private FaultProxy(WebApplication app, HttpClient upstream, Uri endpoint)
    {
        this.app = app;
        this.upstream = upstream;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public long Calls => Interlocked.Read(ref calls);

    public long Injected => Interlocked.Read(ref injected);

    public static async Task<FaultProxy> StartAsync(Uri moto)
    {
        var port = Net.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        var app = builder.Build();
        var upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = moto,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var proxy = new FaultProxy(app, upstream, new Uri($"http://127.0.0.1:{port}"));
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        return proxy;
    }

    public void Set(FaultKind kind, Target target, TimeSpan delay = default, double share = 0) => current = new Fault(kind, target, delay, share);

    public void Clear() => current = new Fault(FaultKind.None, Target.DynamoDb, TimeSpan.Zero, 0);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(TimeSpan.FromSeconds(2));
        await app.DisposeAsync();
        upstream.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref calls);
        var target = context.Request.Headers.ContainsKey("X-Amz-Target") ? Target.DynamoDb : Target.S3;
        var fault = current;
        if (fault.Kind != FaultKind.None && fault.Target == target)
        {
            switch (fault.Kind)
            {
                case FaultKind.Unreachable:
                    Interlocked.Increment(ref injected);
                    context.Abort();
                    return;
                case FaultKind.Hung:
                    Interlocked.Increment(ref injected);
                    try
                    {
                        // Until the caller gives up, or the fault clears (then the connection is dropped, unanswered).
                        while (current.Kind == FaultKind.Hung && !context.RequestAborted.IsCancellationRequested)
                        {
                            await Task.Delay(100, context.RequestAborted);
                        }
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    context.Abort();
                    return;
                case FaultKind.Slow:
                    Interlocked.Increment(ref injected);
                    await Task.Delay(fault.Delay, context.RequestAborted);
                    break;
                case FaultKind.Throttling when Random.Shared.NextDouble() < fault.Share:
                    Interlocked.Increment(ref injected);
                    await ThrottleAsync(context, target);
                    return;
            }
        }

        await ForwardAsync(context);
    }

    private static async Task ThrottleAsync(HttpContext context, Target target)
    {
        // Drain the request first, as a real endpoint would.
        await context.Request.Body.CopyToAsync(Stream.Null);
        if (target == Target.DynamoDb)
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/x-amz-json-1.0";
            await context.Response.WriteAsync(
                "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"The level of configured provisioned throughput for the table was exceeded.\"}");
        }
        else
        {
            context.Response.StatusCode = 503;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>fault</RequestId></Error>");
        }
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.Value + request.QueryString.Value);
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody)
        {
            message.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && message.Content is not null)
            {
                message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        message.Headers.Host = request.Host.Value;
        try
        {
            using var response = await upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
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

    private sealed record Fault(FaultKind Kind, Target Target, TimeSpan Delay, double Share);
}
