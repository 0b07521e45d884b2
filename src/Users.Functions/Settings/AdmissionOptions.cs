using System.Net;

namespace Users.Functions.Settings;

/// <summary>
/// What the service admits: how many requests run at once (and how many may wait), how often one client may
/// register, which peers may name the client in <c>X-Forwarded-For</c>, and the server's limits for hostile clients.
/// </summary>
public sealed class AdmissionOptions
{
    /// <summary>
    /// How the storage routes' concurrency limit is set (<c>ADMISSION_LIMIT_MODE</c>): <see cref="AdmissionLimitMode.Fixed"/>
    /// (default) is the maximum, always, with its queue; <see cref="AdmissionLimitMode.Adaptive"/> follows measured latency
    /// between the minimum and the maximum. Fixed stays the default: the adaptive limit does not meet issue 26's bounds
    /// on the campaign's machine, and measured there no limit can. Against moto, which serves one request at a time, on
    /// 2 cores, at 8× capacity (docs/reliability.md, the adaptive scenario): the adaptive limit keeps goodput at
    /// 87–92 % of capacity (the fixed limit: 72–78 %) and admitted p99 at 8–10× the unloaded p99 (the fixed limit:
    /// 60–75×), against bounds of 90 % and 2×; fixed limits of 1 and of 2 with no queue, the best a limit can do there,
    /// reach 1.2–1.5× at 63–79 % and 2.4–3.2× at 77–86 % (two sittings). It is opt-in until it is measured against a
    /// backend that serves requests in parallel, as DynamoDB and S3 do.
    /// </summary>
    public AdmissionLimitMode LimitMode { get; set; } = AdmissionLimitMode.Fixed;

    /// <summary>Storage requests served at once at most (<c>ADMISSION_MAX_CONCURRENT_REQUESTS</c>): the adaptive limit's ceiling, or the fixed limit; 0 turns the limiter off.</summary>
    public int MaxConcurrentRequests { get; set; } = 32;

    /// <summary>The adaptive limit's floor (<c>ADMISSION_MIN_CONCURRENT_REQUESTS</c>).</summary>
    public int MinConcurrentRequests { get; set; } = 2;

    /// <summary>The adaptive limit before any latency is measured (<c>ADMISSION_INITIAL_CONCURRENT_REQUESTS</c>).</summary>
    public int InitialConcurrentRequests { get; set; } = 8;

    /// <summary>Requests that may wait for a slot (<c>ADMISSION_QUEUE_LIMIT</c>); beyond it, 503 at once.</summary>
    public int QueueLimit { get; set; } = 32;

    /// <summary>
    /// Longest wait for a slot in adaptive mode (<c>ADMISSION_QUEUE_TIMEOUT_MS</c>); then 503 + Retry-After; 0: no queue.
    /// Only while the service keeps up with its arrivals, and no more requests than the limit admits: a closed loop of
    /// clients queues for about one request's latency instead of being shed; an overload (requests arriving faster than
    /// twice they finish) is shed at once, whatever this says (<see cref="Http.AdaptiveConcurrencyLimiter"/>).
    /// </summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Registrations (<c>POST /user</c>) receiving their form at once (<c>ADMISSION_MAX_CONCURRENT_UPLOADS</c>), counted
    /// apart from the storage limit so slow uploaders cannot take the slots other requests need; beyond it, 503 at once.
    /// 0 turns this limit off.
    /// </summary>
    public int MaxConcurrentUploads { get; set; } = 16;

    /// <summary>
    /// The whole registration form must arrive within this (<c>FORM_READ_TIMEOUT_SECONDS</c>), counted from the start of
    /// the request; past it the request is answered 408. Well under the request timeout, which bounds the storage work after it.
    /// </summary>
    public TimeSpan FormReadTimeout { get; set; } = TimeSpan.FromSeconds(3);

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

/// <summary>How the storage routes' concurrency limit is set (<c>ADMISSION_LIMIT_MODE</c>).</summary>
public enum AdmissionLimitMode
{
    /// <summary>Follows measured latency (<c>adaptive</c>).</summary>
    Adaptive,

    /// <summary>Always the maximum (<c>fixed</c>).</summary>
    Fixed,
}
