using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Users.Core.Telemetry;
using Users.Functions.Settings;

namespace Users.Functions.Http;

/// <summary>
/// The two concurrency pools of one host and their instruments: <b>storage</b> (<c>GET /users</c>, and a registration
/// once its form has arrived), adaptive or fixed; <b>upload</b> (registrations receiving their form), fixed and without
/// a queue. Instruments (meter <c>Users.Api</c>, attribute <c>users.admission.pool</c> = storage | upload):
/// <c>users.admission.limit</c>, <c>users.admission.in_flight</c>, <c>users.admission.queued</c> (gauges),
/// <c>users.admission.shed</c> (counter, with <c>reason</c>: limit (no slot and no queue place), queue_timeout), and
/// <c>users.admission.queue.duration</c> (histogram, seconds).
/// </summary>
public sealed class AdmissionLimiters : IDisposable
{
    public const string StoragePool = "storage";
    public const string UploadPool = "upload";

    private const string PoolAttribute = "users.admission.pool";

    private readonly Meter meter;
    private readonly Counter<long> shed;
    private readonly ConcurrencyLimiter? fixedStorage;

    public AdmissionLimiters(IOptions<AdmissionOptions> admission, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(admission);
        ArgumentNullException.ThrowIfNull(meters);
        var options = admission.Value;
        meter = meters.Create(UsersTelemetry.Name);
        shed = meter.CreateCounter<long>("users.admission.shed", "{request}", "Requests refused at once (503 + Retry-After) by the admission limits, by pool and reason.");
        var queueWait = meter.CreateHistogram(
            "users.admission.queue.duration",
            unit: "s",
            description: "Time requests waited in the storage pool's queue, admitted or not.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        var storageTag = new KeyValuePair<string, object?>(PoolAttribute, StoragePool);

        if (options.MaxConcurrentRequests > 0 && options.LimitMode == AdmissionLimitMode.Adaptive)
        {
            Adaptive = new AdaptiveConcurrencyLimiter(
                new GradientLimit(options.MinConcurrentRequests, options.MaxConcurrentRequests, options.InitialConcurrentRequests),
                options.QueueLimit,
                options.QueueTimeout)
            {
                QueueWaitEnded = wait => queueWait.Record(wait.TotalSeconds, storageTag),
            };
            Storage = Adaptive;
        }
        else if (options.MaxConcurrentRequests > 0)
        {
            fixedStorage = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = options.MaxConcurrentRequests,
                QueueLimit = options.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
            Storage = fixedStorage;
        }

        if (options.MaxConcurrentUploads > 0)
        {
            Uploads = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = options.MaxConcurrentUploads, QueueLimit = 0 });
        }

        var uploadTag = new KeyValuePair<string, object?>(PoolAttribute, UploadPool);
        meter.CreateObservableGauge("users.admission.limit", () => Gauges(static (limit, _, _) => limit), "{request}", "Requests each pool admits at once now (the adaptive limit moves with latency).");
        meter.CreateObservableGauge("users.admission.in_flight", () => Gauges(static (_, running, _) => running), "{request}", "Requests each pool is running now.");
        meter.CreateObservableGauge("users.admission.queued", () => Gauges(static (_, _, queued) => queued), "{request}", "Requests waiting for a slot in each pool now.");

        IEnumerable<Measurement<int>> Gauges(Func<int, int, int, int> pick)
        {
            if (Storage is not null)
            {
                var stats = Storage.GetStatistics();
                var limit = Adaptive?.Limit ?? options.MaxConcurrentRequests;
                var running = Adaptive?.InFlight ?? (int)(options.MaxConcurrentRequests - (stats?.CurrentAvailablePermits ?? 0));
                yield return new Measurement<int>(pick(limit, running, (int)(stats?.CurrentQueuedCount ?? 0)), storageTag);
            }

            if (Uploads is not null)
            {
                var stats = Uploads.GetStatistics();
                yield return new Measurement<int>(pick(options.MaxConcurrentUploads, (int)(options.MaxConcurrentUploads - (stats?.CurrentAvailablePermits ?? 0)), 0), uploadTag);
            }
        }
    }

    /// <summary>The storage pool's limiter; null when <c>ADMISSION_MAX_CONCURRENT_REQUESTS</c> is 0.</summary>
    public RateLimiter? Storage { get; }

    /// <summary>The storage pool's limiter when it is adaptive.</summary>
    public AdaptiveConcurrencyLimiter? Adaptive { get; }

    /// <summary>The upload pool's limiter; null when <c>ADMISSION_MAX_CONCURRENT_UPLOADS</c> is 0.</summary>
    public ConcurrencyLimiter? Uploads { get; }

    /// <summary>Counts one refusal; the reason is the lease's (the adaptive limiter names it), else no slot and no queue place.</summary>
    public void RecordShed(string pool, RateLimitLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        // A closed set: the built-in limiters' reason phrases are prose, not attribute values.
        var reason = lease.TryGetMetadata(MetadataName.ReasonPhrase, out var named) && named == AdaptiveConcurrencyLimiter.Reasons.QueueTimeout
            ? AdaptiveConcurrencyLimiter.Reasons.QueueTimeout
            : AdaptiveConcurrencyLimiter.Reasons.Limit;
        shed.Add(1, new KeyValuePair<string, object?>(PoolAttribute, pool), new KeyValuePair<string, object?>("reason", reason));
    }

    public void Dispose()
    {
        Adaptive?.Dispose();
        fixedStorage?.Dispose();
        Uploads?.Dispose();
        meter.Dispose();
    }
}

/// <summary>
/// A pool's limiter as a partition of the global limiter: never idle and not disposed by it. The partitioned limiter
/// disposes partitions idle for 10 s and asks the factory again, which would hand back the disposed pool (every later
/// request a 500); the pools live as long as <see cref="AdmissionLimiters"/> instead.
/// </summary>
internal sealed class SharedPartition(RateLimiter pool) : RateLimiter
{
    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics() => pool.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => pool.AttemptAcquire(permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        pool.AcquireAsync(permitCount, cancellationToken);
}
