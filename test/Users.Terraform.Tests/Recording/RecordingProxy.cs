using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Users.Api.Tests.Infrastructure;

namespace Users.Terraform.Tests.Recording;

/// <summary>
/// An HTTP reverse proxy in front of moto_server that writes down every AWS request passing through it as the IAM action
/// and resource ARN it needs (<see cref="AwsRequests"/>), then forwards it unchanged. The app is not touched: it only
/// sees another endpoint. A request that cannot be described is kept in <see cref="Unknown"/>, so the test can fail on it.
/// </summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpClient upstream;
    private readonly string account;
    private readonly ConcurrentQueue<AwsCall> calls = new();
    private readonly ConcurrentQueue<string> unknown = new();

    private RecordingProxy(WebApplication app, HttpClient upstream, Uri endpoint, string account)
    {
        this.app = app;
        this.upstream = upstream;
        this.account = account;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>What to do with a recorded request instead of forwarding it (null: forward everything).</summary>
    public Func<AwsCall, Fault>? Faults { get; set; }

    /// <summary>Every described request, in arrival order.</summary>
    public IReadOnlyList<AwsCall> Calls => [.. calls];

    /// <summary>Requests no IAM action could be named for.</summary>
    public IReadOnlyList<string> Unknown => [.. unknown];

    public static async Task<RecordingProxy> StartAsync(Uri emulator, string account)
    {
        var port = MotoServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        var app = builder.Build();
        var upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = emulator, Timeout = Timeout.InfiniteTimeSpan };
        var proxy = new RecordingProxy(app, upstream, new Uri($"http://127.0.0.1:{port}"), account);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(TimeSpan.FromSeconds(2));
        await app.DisposeAsync();
        upstream.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var path = request.Path.Value ?? "/";
        var query = request.QueryString.Value ?? string.Empty;
        if (AwsRequests.Describe(request.Method, path, query, headers, body.GetBuffer().AsSpan(0, (int)body.Length), account) is { } call)
        {
            calls.Enqueue(call);
            switch (Faults?.Invoke(call) ?? Fault.None)
            {
                case Fault.Reset:
                    context.Abort();
                    return;
                case Fault.Refuse:
                    // A definite refusal, as DynamoDB answers an invalid request: the write did not happen.
                    context.Response.StatusCode = 400;
                    context.Response.ContentType = "application/x-amz-json-1.0";
                    await context.Response.WriteAsync("{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"refused by the test\"}");
                    return;
            }
        }
        else
        {
            unknown.Enqueue($"{request.Method} {path}{query} ({headers.GetValueOrDefault("x-amz-target", "no X-Amz-Target")})");
        }

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), path + query);
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
}

/// <summary>A fault the recorder injects for one request (after recording it).</summary>
public enum Fault
{
    None,

    /// <summary>The connection is reset without an answer: the caller cannot know whether it was applied.</summary>
    Reset,

    /// <summary>A DynamoDB validation error: a definite refusal.</summary>
    Refuse,
}
