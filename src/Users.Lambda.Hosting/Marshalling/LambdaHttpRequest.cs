using System.Net;
using Microsoft.AspNetCore.Http;

namespace Users.Lambda.Hosting.Marshalling;

/// <summary>An HTTP request read out of an API Gateway event, ready to become ASP.NET Core request features.</summary>
internal sealed class LambdaHttpRequest
{
    public required string Method { get; init; }

    public string Scheme { get; set; } = "https";

    public string Protocol { get; init; } = "HTTP/1.1";

    public PathString PathBase { get; init; } = PathString.Empty;

    public required PathString Path { get; init; }

    /// <summary>The query string as sent, with its leading '?', or empty.</summary>
    public string QueryString { get; init; } = string.Empty;

    /// <summary>The request target as the client sent it (path and query, percent-encoded).</summary>
    public required string RawTarget { get; init; }

    public IHeaderDictionary Headers { get; } = new HeaderDictionary();

    public byte[] Body { get; init; } = [];

    public IPAddress? RemoteIpAddress { get; init; }
}

/// <summary>An HTTP response produced by the pipeline, to be written in the event's response shape.</summary>
internal sealed record LambdaHttpResponse(int StatusCode, IHeaderDictionary Headers, ReadOnlyMemory<byte> Body);
