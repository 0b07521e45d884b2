using System.Threading.RateLimiting;

namespace Users.Functions.Http;

/// <summary>
/// A concurrency limiter whose limit follows measured latency (<see cref="GradientLimit"/>), as a
/// <see cref="RateLimiter"/> so ASP.NET Core's rate-limiting middleware runs it like its own limiters. A lease's life
/// is the request's latency sample; samples are gathered into windows of at least <see cref="MinWindowSamples"/>
/// requests and <see cref="MinWindow"/>.
/// <para>
/// The queue tells a closed loop of clients from an overload by the arrival rate: a request beyond the limit may wait
/// (for at most <c>queueTimeout</c>, oldest first) while fewer requests wait than the limit admits, up to
/// <c>queueLimit</c>, and only while the service keeps up with its arrivals. When the last window saw more than twice as
/// many requests arrive as finish, plus a burst the size of the limit (<see cref="Overloaded"/>), nobody waits: every
/// request beyond the limit is refused at once. So eight clients that each send again once answered queue briefly for
/// the slots the limit holds back from the backend (the wait is one request's latency or less), and an open-model
/// overload is shed at once instead of holding admitted requests in a queue.
/// </para>
/// </summary>
public sealed class AdaptiveConcurrencyLimiter : RateLimiter
{
    /// <summary>Shortest sample window.</summary>
    public static readonly TimeSpan MinWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Fewest requests per sample window. The baseline is the lowest window average: over 5 requests of a mix (a GET of
    /// 10 ms, a registration of 40) it was a lucky run of GETs, which held the limit at about 3 running against moto and
    /// goodput under 90 % of capacity; over 20 it is near the mix's own unloaded latency, and a window's average is
    /// steady enough for the gradient.
    /// </summary>
    public const int MinWindowSamples = 20;

    private readonly Lock sync = new();
    private readonly GradientLimit rule;
    private readonly int queueLimit;
    private readonly TimeSpan queueTimeout;
    private readonly TimeProvider time;
    private readonly LinkedList<Waiter> queue = new();
    private int inFlight;
    private long windowStart;
    private int windowSamples;
    private double windowLatencySum;
    private int windowPeak;
    private int windowArrivals;
    private int windowCompletions;
    private bool overloaded;
    private long? idleSince;

    public AdaptiveConcurrencyLimiter(GradientLimit rule, int queueLimit, TimeSpan queueTimeout, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfNegative(queueLimit);
        this.rule = rule;
        this.queueLimit = queueLimit;
        this.queueTimeout = queueTimeout;
        this.time = time ?? TimeProvider.System;
        windowStart = this.time.GetTimestamp();
        idleSince = windowStart;
    }

    /// <summary>Shed reasons, the closed set of the <c>reason</c> attribute of <c>users.admission.shed</c>.</summary>
    public static class Reasons
    {
        /// <summary>At the limit with no queue place free (or no queue configured).</summary>
        public const string Limit = "limit";

        /// <summary>Queued, but no slot came free within the queue timeout.</summary>
        public const string QueueTimeout = "queue_timeout";
    }

    /// <summary>Called as each wait in the queue ends, admitted or not, with how long it waited (for the queue-wait histogram).</summary>
    public Action<TimeSpan>? QueueWaitEnded { get; init; }

    /// <summary>The current limit.</summary>
    public int Limit
    {
        get
        {
            lock (sync)
            {
                return rule.Limit;
            }
        }
    }

    /// <summary>True while requests arrive faster than twice they finish (the last window's figures): nobody waits.</summary>
    public bool Overloaded
    {
        get
        {
            lock (sync)
            {
                return overloaded;
            }
        }
    }

    /// <summary>Requests running now.</summary>
    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Requests waiting now.</summary>
    public int Queued
    {
        get
        {
            lock (sync)
            {
                return queue.Count;
            }
        }
    }

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (sync)
            {
                return idleSince is { } since ? time.GetElapsedTime(since) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (sync)
        {
            return new RateLimiterStatistics { CurrentAvailablePermits = Math.Max(0, rule.Limit - inFlight), CurrentQueuedCount = queue.Count };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckPermitCount(permitCount);
        lock (sync)
        {
            windowArrivals++;
            return TryAdmit() ?? Refused(Reasons.Limit);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckPermitCount(permitCount);
        Waiter waiter;
        lock (sync)
        {
            windowArrivals++;
            if (TryAdmit() is { } lease)
            {
                return ValueTask.FromResult<RateLimitLease>(lease);
            }

            if (overloaded || queue.Count >= Math.Min(queueLimit, rule.SteadyLimit) || queueTimeout <= TimeSpan.Zero)
            {
                return ValueTask.FromResult<RateLimitLease>(Refused(Reasons.Limit));
            }

            waiter = new Waiter(this);
            waiter.Node = queue.AddLast(waiter);
        }

        waiter.Start(queueTimeout, cancellationToken);
        return new ValueTask<RateLimitLease>(waiter.Task);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
        {
            return;
        }

        List<Waiter> waiting;
        lock (sync)
        {
            waiting = [.. queue];
            queue.Clear();
        }

        foreach (var waiter in waiting)
        {
            waiter.Complete(Refused(Reasons.Limit));
        }
    }

    private static void CheckPermitCount(int permitCount)
    {
        if (permitCount != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, "Each request takes exactly one permit.");
        }
    }

    private static Lease Refused(string reason) => new(null, reason);

    /// <summary>Under the lock: a lease if a slot is free and nobody waits before us.</summary>
    private Lease? TryAdmit() => queue.Count == 0 && inFlight < rule.Limit ? Admit() : null;

    private Lease Admit()
    {
        inFlight++;
        idleSince = null;
        windowPeak = Math.Max(windowPeak, inFlight);
        return new Lease(this, null);
    }

    /// <summary>A lease ends: its life is a latency sample unless it was never used (its waiter had gone).</summary>
    private void Release(long acquiredAt, bool sample)
    {
        var now = time.GetTimestamp();
        var latency = time.GetElapsedTime(acquiredAt, now).TotalSeconds;
        List<(Waiter Waiter, Lease Lease)>? admitted = null;
        lock (sync)
        {
            inFlight--;
            windowCompletions++;

            // A window measuring the baseline at the minimum limit counts only the requests it admitted: those admitted
            // before, at the old limit, would give it the latency under load it is there to see past.
            if (sample && (!rule.Probing || acquiredAt >= windowStart))
            {
                windowSamples++;
                windowLatencySum += latency;
            }

            if (windowSamples >= MinWindowSamples && time.GetElapsedTime(windowStart, now) >= MinWindow)
            {
                rule.Update(now / (double)time.TimestampFrequency, Math.Max(windowLatencySum / windowSamples, 1e-6), windowPeak);
                overloaded = windowArrivals > (2 * windowCompletions) + rule.SteadyLimit;
                windowStart = now;
                windowSamples = 0;
                windowLatencySum = 0;
                windowPeak = inFlight;
                windowArrivals = 0;
                windowCompletions = 0;
            }

            // The oldest waiters first, while there is room (the limit may have grown).
            while (queue.First is { } first && inFlight < rule.Limit)
            {
                queue.RemoveFirst();
                first.Value.Node = null;
                (admitted ??= []).Add((first.Value, Admit()));
            }

            if (inFlight == 0 && queue.Count == 0)
            {
                idleSince = now;
            }
        }

        if (admitted is not null)
        {
            foreach (var (waiter, lease) in admitted)
            {
                if (!waiter.Complete(lease))
                {
                    // The waiter timed out or was cancelled in the meantime: the slot goes back, no sample taken.
                    lease.Abandon();
                }
            }
        }
    }

    /// <summary>Under the lock: takes a waiter out of the queue; false if a release has admitted it already.</summary>
    private bool Dequeue(Waiter waiter)
    {
        lock (sync)
        {
            if (waiter.Node is null)
            {
                return false;
            }

            queue.Remove(waiter.Node);
            waiter.Node = null;
            if (inFlight == 0 && queue.Count == 0)
            {
                idleSince = time.GetTimestamp();
            }

            return true;
        }
    }

    private sealed class Waiter(AdaptiveConcurrencyLimiter limiter)
    {
        private readonly TaskCompletionSource<RateLimitLease> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly long enqueuedAt = limiter.time.GetTimestamp();
        private ITimer? timer;
        private CancellationTokenRegistration cancellation;

        public LinkedListNode<Waiter>? Node { get; set; }

        public Task<RateLimitLease> Task => completion.Task;

        public void Start(TimeSpan timeout, CancellationToken cancellationToken)
        {
            timer = limiter.time.CreateTimer(_ => Expire(Reasons.QueueTimeout, null), null, timeout, Timeout.InfiniteTimeSpan);
            if (cancellationToken.CanBeCanceled)
            {
                cancellation = cancellationToken.UnsafeRegister((_, token) => Expire(null, token), null);
            }

            if (completion.Task.IsCompleted)
            {
                // Admitted before the timer existed.
                timer.Dispose();
                cancellation.Dispose();
            }
        }

        public bool Complete(RateLimitLease lease)
        {
            if (!completion.TrySetResult(lease))
            {
                return false;
            }

            Ended();
            return true;
        }

        private void Ended()
        {
            timer?.Dispose();
            cancellation.Dispose();
            limiter.QueueWaitEnded?.Invoke(limiter.time.GetElapsedTime(enqueuedAt));
        }

        private void Expire(string? reason, CancellationToken? cancelled)
        {
            if (!limiter.Dequeue(this))
            {
                return;
            }

            Ended();
            if (cancelled is { } token)
            {
                completion.TrySetCanceled(token);
            }
            else
            {
                completion.TrySetResult(Refused(reason!));
            }
        }
    }

    private sealed class Lease : RateLimitLease
    {
        private static readonly string[] ReasonMetadata = [MetadataName.ReasonPhrase.Name];
        private readonly AdaptiveConcurrencyLimiter? owner;
        private readonly string? reason;
        private readonly long acquiredAt;
        private int disposed;

        public Lease(AdaptiveConcurrencyLimiter? owner, string? reason)
        {
            this.owner = owner;
            this.reason = reason;
            acquiredAt = owner?.time.GetTimestamp() ?? 0;
        }

        public override bool IsAcquired => owner is not null;

        public override IEnumerable<string> MetadataNames => reason is null ? [] : ReasonMetadata;

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (reason is not null && metadataName == MetadataName.ReasonPhrase.Name)
            {
                metadata = reason;
                return true;
            }

            metadata = null;
            return false;
        }

        public void Abandon()
        {
            if (owner is not null && Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Release(acquiredAt, sample: false);
            }
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (owner is not null && Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Release(acquiredAt, sample: true);
            }
        }
    }
}
