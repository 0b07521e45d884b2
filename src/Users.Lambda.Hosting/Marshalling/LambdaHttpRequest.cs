using System.Net;
using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
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

    /// <summary>requestContext.domainName: the Host when the event carries no Host header.</summary>
    public string? DomainName { get; init; }

    /// <summary>The caller an API Gateway authorizer vouched for; null when no authorizer ran (anonymous).</summary>
    public ClaimsPrincipal? User { get; set; }

    /// <summary>The client certificate of a mutual TLS custom domain; owned by the request features once they exist.</summary>
    public X509Certificate2? ClientCertificate { get; set; }
}

/// <summary>An HTTP response produced by the pipeline, to be written in the event's response shape.</summary>
internal sealed record LambdaHttpResponse(int StatusCode, IHeaderDictionary Headers, ReadOnlyMemory<byte> Body);
