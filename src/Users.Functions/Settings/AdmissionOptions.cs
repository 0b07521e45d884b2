using System.Net;

namespace Users.Functions.Settings;

/// <summary>
/// What the service admits: how many requests run at once (and how many may wait), how often one client may
/// register, which peers may name the client in <c>X-Forwarded-For</c>, and the server's limits for hostile clients.
/// </summary>
public sealed class AdmissionOptions
{
    /// <summary>Requests served at once (<c>ADMISSION_MAX_CONCURRENT_REQUESTS</c>); 0 turns the limiter off.</summary>
    public int MaxConcurrentRequests { get; set; } = 32;

    /// <summary>Requests that may wait for a slot (<c>ADMISSION_QUEUE_LIMIT</c>); beyond it, 503 at once.</summary>
    public int QueueLimit { get; set; } = 32;

    /// <summary>Registrations one client may make per minute, sustained (<c>REGISTER_RATE_LIMIT_PER_MINUTE</c>); 0 turns it off.</summary>
    public int RegisterPerMinute { get; set; } = 20;

    /// <summary>Registrations one client may make in a burst (<c>REGISTER_RATE_LIMIT_BURST</c>).</summary>
    public int RegisterBurst { get; set; } = 20;

    /// <summary>Peers trusted to set <c>X-Forwarded-For</c> (<c>TRUSTED_PROXIES</c>: addresses or CIDR networks); none by default.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; set; } = [];

    /// <summary>Time a client has to send all request headers (<c>REQUEST_HEADERS_TIMEOUT_SECONDS</c>).</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle time before a keep-alive connection is closed (<c>KEEPALIVE_TIMEOUT_SECONDS</c>).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(75);

    /// <summary>Open connections at most (<c>MAX_CONCURRENT_CONNECTIONS</c>); 0 means unlimited.</summary>
    public long MaxConcurrentConnections { get; set; } = 1000;

    /// <summary>Slowest accepted upload after a 5 s grace period (<c>MIN_REQUEST_BODY_BYTES_PER_SECOND</c>); 0 turns the check off.</summary>
    public int MinRequestBodyBytesPerSecond { get; set; } = 1024;

    /// <summary>Largest request line plus headers (<c>MAX_REQUEST_HEADERS_BYTES</c>).</summary>
    public int MaxRequestHeadersBytes { get; set; } = 16 * 1024;

    /// <summary>Most request headers accepted (fixed: the API needs a handful, proxies add a few).</summary>
    public const int MaxRequestHeaderCount = 64;

    /// <summary>Grace period before the minimum body data rate is enforced.</summary>
    public static readonly TimeSpan MinDataRateGracePeriod = TimeSpan.FromSeconds(5);
}
