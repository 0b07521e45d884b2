using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Users.LambdaEmulator;

/// <summary>
/// The Lambda Runtime API (2018-06-01) a function polls: next, response, error and init/error.
/// Invocations are queued by <see cref="InvokeAsync"/> and handed out one per <c>next</c>.
/// </summary>
public sealed class RuntimeApiEmulator : IAsyncDisposable
{
    /// <summary>The largest response a synchronous invocation may return (6 MB).</summary>
    public const int MaxResponseBytes = 6 * 1024 * 1024;

    /// <summary>The largest event a synchronous invocation accepts (6 MB).</summary>
    public const int MaxRequestBytes = 6 * 1024 * 1024;

    private readonly WebApplication app;
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>();
    private readonly ConcurrentDictionary<string, Pending> inFlight = new();
    private readonly ConcurrentQueue<InitErrorReport> initErrors = new();

    private RuntimeApiEmulator(WebApplication app, string functionArn)
    {
        this.app = app;
        FunctionArn = functionArn;
    }

    /// <summary>host:port, the value of AWS_LAMBDA_RUNTIME_API.</summary>
    public string RuntimeApi { get; private set; } = string.Empty;

    public string FunctionArn { get; }

    public IReadOnlyCollection<InitErrorReport> InitErrors => initErrors;

    /// <summary>How many times the function asked for the next invocation.</summary>
    public int NextCalls => nextCalls;

    private int nextCalls;

    public static async Task<RuntimeApiEmulator> StartAsync(int port = 0, string functionArn = "arn:aws:lambda:us-east-1:000000000000:function:users-api", CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 64L * 1024 * 1024);
        var app = builder.Build();
        var emulator = new RuntimeApiEmulator(app, functionArn);
        emulator.Map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.RuntimeApi = new Uri(address).Authority;
        return emulator;
    }

    /// <summary>Queues an invocation and waits for its outcome (at most <paramref name="timeout"/>).</summary>
    public async Task<InvocationResult> InvokeAsync(byte[] payload, TimeSpan timeout, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(Guid.NewGuid().ToString(), payload, DateTimeOffset.UtcNow + timeout, traceId ?? NewTraceId());
        await queue.Writer.WriteAsync(pending, cancellationToken);
        try
        {
            var result = await pending.Outcome.Task.WaitAsync(timeout, cancellationToken);
            return result with { RequestId = pending.RequestId };
        }
        catch (TimeoutException)
        {
            pending.Outcome.TrySetResult(new InvocationResult(InvocationStatus.Timeout, [], "Sandbox.Timedout", null));
            return (await pending.Outcome.Task) with { RequestId = pending.RequestId };
        }
        finally
        {
            inFlight.TryRemove(pending.RequestId, out _);
        }
    }

    /// <summary>Ends every invocation a dead process was serving (the Lambda service reports Runtime.ExitError).</summary>
    public void FailInFlight(InvocationStatus status, string errorType)
    {
        foreach (var pending in inFlight.Values)
        {
            pending.Outcome.TrySetResult(new InvocationResult(status, [], errorType, null));
        }
    }

    /// <summary>Ends the invocations in flight and those still queued (the process serving them is gone).</summary>
    public void FailAll(InvocationStatus status, string errorType)
    {
        FailInFlight(status, errorType);
        while (queue.Reader.TryRead(out var queued))
        {
            queued.Outcome.TrySetResult(new InvocationResult(status, [], errorType, null));
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        FailInFlight(InvocationStatus.ProcessExited, "Runtime.Shutdown");
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void Map(WebApplication web)
    {
        var runtime = web.MapGroup("/2018-06-01/runtime");

        runtime.MapGet("/invocation/next", async (HttpContext http) =>
        {
            Interlocked.Increment(ref nextCalls);
            Pending pending;
            try
            {
                do
                {
                    pending = await queue.Reader.ReadAsync(http.RequestAborted);
                }
                while (pending.Outcome.Task.IsCompleted); // timed out while queued
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                return;
            }

            inFlight[pending.RequestId] = pending;
            var headers = http.Response.Headers;
            headers["Lambda-Runtime-Aws-Request-Id"] = pending.RequestId;
            headers["Lambda-Runtime-Deadline-Ms"] = pending.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            headers["Lambda-Runtime-Invoked-Function-Arn"] = FunctionArn;
            headers["Lambda-Runtime-Trace-Id"] = pending.TraceId;
            http.Response.ContentType = "application/json";
            await http.Response.Body.WriteAsync(pending.Payload, CancellationToken.None);
        });

        runtime.MapPost("/invocation/{requestId}/response", async (string requestId, HttpContext http) =>
        {
            if (!inFlight.TryGetValue(requestId, out var pending))
            {
                return Results.Json(new Dictionary<string, string> { ["errorMessage"] = "Invalid request ID", ["errorType"] = "InvalidRequestID" }, statusCode: 400);
            }

            var body = await ReadBodyAsync(http);
            if (body.Length > MaxResponseBytes)
            {
                pending.Outcome.TrySetResult(new InvocationResult(InvocationStatus.FunctionError, [], "Function.ResponseSizeTooLarge", null));
                return Results.Json(new Dictionary<string, string> { ["errorMessage"] = "Response payload size exceeded maximum allowed payload size (6291556 bytes).", ["errorType"] = "RequestEntityTooLarge" }, statusCode: 413);
            }

            pending.Outcome.TrySetResult(new InvocationResult(InvocationStatus.Success, body, null, http.Request.ContentType));
            return Results.Accepted();
        });

        runtime.MapPost("/invocation/{requestId}/error", async (string requestId, HttpContext http) =>
        {
            if (!inFlight.TryGetValue(requestId, out var pending))
            {
                return Results.Json(new Dictionary<string, string> { ["errorMessage"] = "Invalid request ID", ["errorType"] = "InvalidRequestID" }, statusCode: 400);
            }

            var body = await ReadBodyAsync(http);
            var errorType = http.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
            pending.Outcome.TrySetResult(new InvocationResult(InvocationStatus.FunctionError, body, errorType.Length == 0 ? null : errorType, http.Request.ContentType));
            return Results.Accepted();
        });

        runtime.MapPost("/init/error", async (HttpContext http) =>
        {
            var body = await ReadBodyAsync(http);
            var errorType = http.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
            initErrors.Enqueue(new InitErrorReport(errorType.Length == 0 ? null : errorType, http.Request.ContentType, body));
            FailInFlight(InvocationStatus.InitError, errorType);
            while (queue.Reader.TryRead(out var queued))
            {
                queued.Outcome.TrySetResult(new InvocationResult(InvocationStatus.InitError, body, errorType, http.Request.ContentType));
            }

            return Results.Accepted();
        });
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        return buffer.ToArray();
    }

    private static string NewTraceId()
    {
        var epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture);
        var random = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var parent = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        return $"Root=1-{epoch}-{random};Parent={parent};Sampled=0";
    }

    private sealed record Pending(string RequestId, byte[] Payload, DateTimeOffset Deadline, string TraceId)
    {
        public TaskCompletionSource<InvocationResult> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
