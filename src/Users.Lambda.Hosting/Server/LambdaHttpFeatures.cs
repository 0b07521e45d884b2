using System.IO.Pipelines;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Users.Lambda.Hosting.Marshalling;
using Users.Lambda.Hosting.Runtime;

namespace Users.Lambda.Hosting.Server;

/// <summary>
/// The server side of one HttpContext: the request read from the event, and a buffered response.
/// It plays the part Kestrel's connection plays, without a socket.
/// </summary>
internal sealed class LambdaHttpFeatures :
    IHttpRequestFeature,
    IHttpResponseFeature,
    IHttpResponseBodyFeature,
    IHttpConnectionFeature,
    IHttpRequestLifetimeFeature,
    IHttpRequestIdentifierFeature,
    IHttpRequestBodyDetectionFeature,
    IHttpAuthenticationFeature,
    ITlsConnectionFeature,
    ILambdaInvocationFeature,
    IDisposable
{
    private readonly MemoryStream responseBuffer = new();
    private readonly List<(Func<object, Task> Callback, object State)> onStarting = [];
    private readonly List<(Func<object, Task> Callback, object State)> onCompleted = [];
    private readonly ResponseStream responseStream;
    private PipeWriter? writer;
    private bool started;

    public LambdaHttpFeatures(LambdaHttpRequest request, LambdaInvocation invocation, CancellationToken requestAborted)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(invocation);
        Invocation = invocation;
        Method = request.Method;
        Scheme = request.Scheme;
        Protocol = request.Protocol;
        PathBase = request.PathBase.Value ?? string.Empty;
        Path = request.Path.Value ?? "/";
        QueryString = request.QueryString;
        RawTarget = request.RawTarget;
        Headers = request.Headers;
        Body = new MemoryStream(request.Body, writable: false);
        CanHaveBody = request.Body.Length > 0;
        RemoteIpAddress = request.RemoteIpAddress;
        User = request.User;
        ClientCertificate = request.ClientCertificate;
        RequestAborted = requestAborted;
        TraceIdentifier = invocation.RequestId;
        responseStream = new ResponseStream(this);

        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(this);
        features.Set<IHttpResponseFeature>(this);
        features.Set<IHttpResponseBodyFeature>(this);
        features.Set<IHttpConnectionFeature>(this);
        features.Set<IHttpRequestLifetimeFeature>(this);
        features.Set<IHttpRequestIdentifierFeature>(this);
        features.Set<IHttpRequestBodyDetectionFeature>(this);
        features.Set<ILambdaInvocationFeature>(this);
        // The authorizer's caller, if any: authentication middleware that finds nothing of its own leaves it in place.
        if (User is not null)
        {
            features.Set<IHttpAuthenticationFeature>(this);
        }

        // Only a mutual TLS request has a TLS connection feature, as with Kestrel.
        if (ClientCertificate is not null)
        {
            features.Set<ITlsConnectionFeature>(this);
        }

        Features = features;
    }

    public IFeatureCollection Features { get; }

    public LambdaInvocation Invocation { get; }

    // IHttpRequestFeature
    public string Protocol { get; set; }

    public string Scheme { get; set; }

    public string Method { get; set; }

    public string PathBase { get; set; }

    public string Path { get; set; }

    public string QueryString { get; set; }

    public string RawTarget { get; set; }

    IHeaderDictionary IHttpRequestFeature.Headers { get => Headers; set => Headers = value; }

    public IHeaderDictionary Headers { get; set; }

    public Stream Body { get; set; }

    public bool CanHaveBody { get; }

    // IHttpResponseFeature
    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    public string? ReasonPhrase { get; set; }

    IHeaderDictionary IHttpResponseFeature.Headers { get => ResponseHeaders; set => ResponseHeaders = value; }

    public IHeaderDictionary ResponseHeaders { get; set; } = new HeaderDictionary();

    Stream IHttpResponseFeature.Body { get => responseStream; set => throw new NotSupportedException("Replace IHttpResponseBodyFeature instead."); }

    public bool HasStarted => started;

    // IHttpResponseBodyFeature
    public Stream Stream => responseStream;

    public PipeWriter Writer => writer ??= PipeWriter.Create(responseStream, new StreamPipeWriterOptions(leaveOpen: true));

    // IHttpConnectionFeature
    public string ConnectionId { get; set; } = string.Empty;

    public IPAddress? RemoteIpAddress { get; set; }

    public IPAddress? LocalIpAddress { get; set; }

    public int RemotePort { get; set; }

    public int LocalPort { get; set; }

    // IHttpAuthenticationFeature
    public ClaimsPrincipal? User { get; set; }

    // ITlsConnectionFeature
    public X509Certificate2? ClientCertificate { get; set; }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    // IHttpRequestLifetimeFeature
    public CancellationToken RequestAborted { get; set; }

    // IHttpRequestIdentifierFeature
    public string TraceIdentifier { get; set; }

    public ReadOnlyMemory<byte> ResponseBody => responseBuffer.GetBuffer().AsMemory(0, (int)responseBuffer.Length);

    public void Dispose()
    {
        responseStream.Dispose();
        responseBuffer.Dispose();
        Body.Dispose();
        ClientCertificate?.Dispose();
    }

    public void Abort()
    {
        // There is no connection to drop: the invocation ends with an error instead.
    }

    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (started)
        {
            throw new InvalidOperationException("The response has already started.");
        }

        onStarting.Add((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => onCompleted.Add((callback, state));

    public void DisableBuffering()
    {
        // The whole response is buffered: Lambda returns it in one piece.
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (started)
        {
            return;
        }

        started = true;
        // Like Kestrel: the last registered callback runs first.
        for (var i = onStarting.Count - 1; i >= 0; i--)
        {
            await onStarting[i].Callback(onStarting[i].State);
        }
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(responseStream, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        await StartAsync();
        if (writer is not null)
        {
            await writer.FlushAsync();
        }
    }

    /// <summary>Forget everything written so far (an unhandled exception before the response started).</summary>
    public void ResetResponse(int statusCode)
    {
        StatusCode = statusCode;
        ReasonPhrase = null;
        ResponseHeaders.Clear();
        responseBuffer.SetLength(0);
    }

    public async Task FireOnCompletedAsync()
    {
        for (var i = onCompleted.Count - 1; i >= 0; i--)
        {
            await onCompleted[i].Callback(onCompleted[i].State);
        }
    }

    /// <summary>The response body: a write starts the response (OnStarting) and lands in the buffer.</summary>
    private sealed class ResponseStream(LambdaHttpFeatures owner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => owner.responseBuffer.Length;

        public override long Position { get => owner.responseBuffer.Length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => owner.StartAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!owner.started)
            {
                owner.StartAsync().GetAwaiter().GetResult();
            }

            owner.responseBuffer.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await owner.StartAsync(cancellationToken);
            owner.responseBuffer.Write(buffer.Span);
        }
    }
}
