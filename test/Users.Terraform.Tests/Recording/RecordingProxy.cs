using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Users.Api.Tests.Infrastructure;

namespace Users.Terraform.Tests.Recording;

/// <summary>
/// An HTTP reverse proxy in front of moto_server (<see cref="ForwardingProxy"/>) that writes down every AWS request passing
/// through it as the IAM action and resource ARN it needs (<see cref="AwsRequests"/>), then forwards it unchanged. The app is not touched: it only
/// sees another endpoint. A request that cannot be described is kept in <see cref="Unknown"/>, so the test can fail on it.
/// </summary>
public sealed class RecordingProxy : ForwardingProxy
{
    private readonly string account;
    private readonly ConcurrentQueue<AwsCall> calls = new();
    private readonly ConcurrentQueue<string> unknown = new();

    private RecordingProxy(string account)
    {
        this.account = account;
    }

    /// <summary>What to do with a recorded request instead of forwarding it (null: forward everything).</summary>
    public Func<AwsCall, Fault>? Faults { get; set; }

    /// <summary>Every described request, in arrival order.</summary>
    public IReadOnlyList<AwsCall> Calls => [.. calls];

    /// <summary>Requests no IAM action could be named for.</summary>
    public IReadOnlyList<string> Unknown => [.. unknown];

    public static async Task<RecordingProxy> StartAsync(Uri emulator, string account)
    {
        var proxy = new RecordingProxy(account);
        await proxy.ListenAsync(emulator);
        return proxy;
    }

    protected override async Task<bool> InterceptAsync(HttpContext context, ReadOnlyMemory<byte> body)
    {
        var request = context.Request;
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var path = request.Path.Value ?? "/";
        var query = request.QueryString.Value ?? string.Empty;
        if (AwsRequests.Describe(request.Method, path, query, headers, body.Span, account) is not { } call)
        {
            unknown.Enqueue($"{request.Method} {path}{query} ({headers.GetValueOrDefault("x-amz-target", "no X-Amz-Target")})");
            return false;
        }

        calls.Enqueue(call);
        switch (Faults?.Invoke(call) ?? Fault.None)
        {
            case Fault.Reset:
                context.Abort();
                return true;
            case Fault.Refuse:
                // A definite refusal, as DynamoDB answers an invalid request: the write did not happen.
                context.Response.StatusCode = 400;
                context.Response.ContentType = "application/x-amz-json-1.0";
                await context.Response.WriteAsync("{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"refused by the test\"}");
                return true;
            default:
                return false;
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
