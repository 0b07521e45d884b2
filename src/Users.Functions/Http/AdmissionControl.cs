using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Users.Functions.Endpoints;
using Users.Functions.Settings;

namespace Users.Functions.Http;

/// <summary>
/// What is admitted, and what is answered at once instead of queued without bound:
/// <list type="bullet">
/// <item>concurrency pools (<see cref="AdmissionLimiters"/>): the storage routes under an adaptive concurrency limit
/// (<see cref="AdaptiveConcurrencyLimiter"/>) with a short queue bounded in time, registrations receiving their form
/// under a separate upload limit; 503 + Retry-After at once beyond either; health probes and <c>/metrics</c> exempt,</item>
/// <item>a per-client token bucket on <c>POST /user</c> (429 + Retry-After), the client being the socket peer, or the
/// <c>X-Forwarded-For</c> entry named by a configured trusted proxy,</item>
/// <item>Kestrel's limits for hostile clients (header time and size, body data rate, connections, keep-alive),</item>
/// <item>readiness that fails the moment shutdown starts, so load balancers stop sending while in-flight requests drain
/// (<c>Health/ShutdownReadinessCheck</c>, registered with the other readiness check).</item>
/// </list>
/// Both hosts run it; on Lambda one request at a time reaches the pipeline, so the concurrency limiter never bites.
/// </summary>
public static class AdmissionControl
{
    /// <summary>Seconds an overloaded client is asked to wait.</summary>
    public const int OverloadRetryAfterSeconds = 1;

    /// <summary>The rate-limiting policy of <c>POST /user</c>: a token bucket per client address.</summary>
    public const string RegisterPolicy = "register";

    public static IServiceCollection AddAdmissionControl(this IServiceCollection services)
    {
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<AdmissionOptions>>((kestrel, admission) =>
        {
            var options = admission.Value;
            var limits = kestrel.Limits;
            limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            limits.KeepAliveTimeout = options.KeepAliveTimeout;
            limits.MaxConcurrentConnections = options.MaxConcurrentConnections == 0 ? null : options.MaxConcurrentConnections;
            limits.MaxConcurrentUpgradedConnections = 0;
            limits.MinRequestBodyDataRate = options.MinRequestBodyBytesPerSecond == 0
                ? null
                : new MinDataRate(options.MinRequestBodyBytesPerSecond, AdmissionOptions.MinDataRateGracePeriod);
            limits.MaxRequestHeadersTotalSize = options.MaxRequestHeadersBytes;
            limits.MaxRequestLineSize = Math.Min(limits.MaxRequestLineSize, options.MaxRequestHeadersBytes);
            limits.MaxRequestHeaderCount = AdmissionOptions.MaxRequestHeaderCount;
        });

        // One middleware (UseRateLimiter) for both limits: the global concurrency limiter for every request, and the
        // per-client token bucket as the policy of the registration endpoint (UserEndpoints: RequireRateLimiting).
        services.AddRateLimiter(_ => { });
        services.AddSingleton<AdmissionLimiters>();
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AdmissionOptions>, AdmissionLimiters>((limiter, admission, pools) =>
        {
            var options = admission.Value;

            // Each request to its pool, by endpoint: the storage routes share the storage limit; a registration first
            // takes an upload slot (its form arrives under it), then a storage slot in the endpoint (RegisterAsync);
            // probes, /metrics and everything else are not limited here (they touch no storage).
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                (context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName, IsExempt(context.Request.Path)) switch
                {
                    (_, true) => RateLimitPartition.GetNoLimiter("exempt"),
                    (UserEndpoints.CreateName, _) when pools.Uploads is { } uploads => RateLimitPartition.Get(AdmissionLimiters.UploadPool, _ => new SharedPartition(uploads)),
                    (UserEndpoints.ListName, _) when pools.Storage is { } storage => RateLimitPartition.Get(AdmissionLimiters.StoragePool, _ => new SharedPartition(storage)),
                    _ => RateLimitPartition.GetNoLimiter("none"),
                });

            var bucket = options.RegisterPerMinute == 0 ? null : new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.RegisterBurst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / options.RegisterPerMinute,
                QueueLimit = 0,
                AutoReplenishment = true,
            };
            // Idle buckets are dropped by the partitioned limiter, so memory stays bounded whatever the addresses.
            limiter.AddPolicy(RegisterPolicy, context => bucket is null
                ? RateLimitPartition.GetNoLimiter("off")
                : RateLimitPartition.GetTokenBucketLimiter(ClientKey(context.Connection.RemoteIpAddress), _ => bucket));

            // Only the token bucket says when to come back: its refusal is the per-client limit (429), any other the
            // concurrency limiter's (503, retry at once).
            limiter.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    return WriteProblemAsync(context.HttpContext, StatusCodes.Status429TooManyRequests,
                        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)), "Too many registrations from this address; retry later.");
                }

                var upload = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == UserEndpoints.CreateName;
                pools.RecordShed(upload ? AdmissionLimiters.UploadPool : AdmissionLimiters.StoragePool, context.Lease);
                return WriteOverloadedAsync(context.HttpContext);
            };
        });
        return services;
    }

    public static WebApplication UseAdmissionControl(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<AdmissionOptions>>().Value;

        if (options.TrustedProxies.Count > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = null };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in options.TrustedProxies)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            app.UseForwardedHeaders(forwarded);
        }

        app.UseRateLimiter();
        return app;
    }

    /// <summary>Probes must reach the app even when it is saturated, or the orchestrator would kill a busy pod.</summary>
    internal static bool IsExempt(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);

    /// <summary>The client a token bucket belongs to: its address; IPv6 clients by /64, the block one subscriber usually holds.</summary>
    internal static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }

    /// <summary>The answer to a request no pool could admit: 503, retry in <see cref="OverloadRetryAfterSeconds"/>.</summary>
    internal static ValueTask WriteOverloadedAsync(HttpContext context) =>
        WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, OverloadRetryAfterSeconds, OverloadedDetail);

    internal const string OverloadedDetail = "The service is at capacity; retry later.";

    internal static async ValueTask WriteProblemAsync(HttpContext context, int status, int retryAfterSeconds, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Detail = detail },
        });
    }
}
