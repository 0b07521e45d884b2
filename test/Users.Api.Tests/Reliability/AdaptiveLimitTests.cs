using System.Diagnostics;
using System.Threading.RateLimiting;
using Users.Functions.Http;

namespace Users.Api.Tests.Reliability;

/// <summary>The adaptive concurrency limit: its rule (<see cref="GradientLimit"/>) and its limiter, on a clock the test moves.</summary>
public sealed class AdaptiveLimitTests
{
    private const double Base = 0.010;

    [Fact]
    public void Within_the_tolerance_a_busy_limit_grows_to_the_maximum_and_no_further()
    {
        var rule = new GradientLimit(minimum: 2, maximum: 40, initial: 4);
        var seen = new List<int>();
        for (var window = 0; window < 60; window++)
        {
            seen.Add(rule.Update(window * 0.1, Base * 1.5, peakInFlight: rule.Limit));
        }

        Assert.Equal(40, rule.Limit);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.Second >= p.First), string.Join(",", seen));
        Assert.InRange(seen.FindIndex(l => l == 40), 5, 40);
    }

    [Fact]
    public void Against_a_saturated_backend_the_limit_settles_where_latency_meets_the_tolerance_not_above_it()
    {
        // A backend that serves two at once: beyond that, latency grows with the requests running (as moto's does).
        static double Latency(int running) => Base * Math.Max(1.0, running / 2.0);
        var rule = new GradientLimit(minimum: 1, maximum: 64, initial: 2);
        var settled = new List<int>();
        for (var window = 0; window < 200; window++)
        {
            rule.Update(window * 0.1, Latency(rule.Limit), peakInFlight: rule.Limit);
            if (window >= 100)
            {
                settled.Add(rule.Limit);
            }
        }

        // Latency tolerance × baseline is reached at 2 × Tolerance running: the limit stays about there, never far
        // above it (a headroom added above the tolerance held it near 6.5 with the tolerance 2, 7.8 with 2.5), nor below the two the
        // backend can serve without waiting.
        var atTolerance = 2 * GradientLimit.Tolerance;
        Assert.All(settled, limit => Assert.InRange(limit, 2, atTolerance + 2));
        Assert.InRange(settled.Average(), atTolerance - 0.5, atTolerance + 1);
    }

    [Fact]
    public void An_idle_service_does_not_earn_a_larger_limit()
    {
        var rule = new GradientLimit(minimum: 2, maximum: 40, initial: 10);
        for (var window = 0; window < 50; window++)
        {
            rule.Update(window * 0.1, Base, peakInFlight: 4);
        }

        Assert.Equal(10, rule.Limit);
    }

    [Fact]
    public void When_latency_rises_tenfold_the_limit_falls_within_a_second_of_windows_and_climbs_back_when_it_heals()
    {
        var rule = new GradientLimit(minimum: 2, maximum: 64, initial: 64);
        var now = 0.0;
        for (var window = 0; window < 10; window++, now += 0.1)
        {
            rule.Update(now, Base, rule.Limit);
        }

        Assert.Equal(64, rule.Limit);
        var falls = 0;
        while (rule.Limit > 8 && falls < 100)
        {
            rule.Update(now, Base * 10, rule.Limit);
            now += 0.1;
            falls++;
        }

        Assert.InRange(falls, 1, 10);

        // Still slow: it stays low (never below the minimum); the baseline has not moved.
        for (var window = 0; window < 20; window++, now += 0.1)
        {
            rule.Update(now, Base * 10, rule.Limit);
            Assert.InRange(rule.Limit, 2, 8);
        }

        Assert.Equal(Base, rule.Baseline, 9);

        var climbs = 0;
        while (rule.Limit < 64 && climbs < 100)
        {
            rule.Update(now, Base, rule.Limit);
            now += 0.1;
            climbs++;
        }

        Assert.InRange(climbs, 1, 40);
    }

    [Fact]
    public void An_expired_baseline_is_measured_afresh_in_one_window_at_the_minimum_and_the_limit_restored()
    {
        var rule = new GradientLimit(minimum: 3, maximum: 50, initial: 20);
        rule.Update(0, Base, 20);
        var before = rule.Limit;

        // Slower for good: the gradient shrinks the limit until the baseline expires...
        var now = 0.1;
        for (; now < GradientLimit.BaselineLifetime.TotalSeconds; now += 0.1)
        {
            rule.Update(now, Base * 3, rule.Limit);
            Assert.False(rule.Probing);
        }

        var shrunk = rule.Limit;
        Assert.True(shrunk < before, $"{shrunk} < {before}");

        // ...then one window runs at the minimum; its latency is the new baseline, and the limit is given back.
        Assert.Equal(3, rule.Update(now, Base * 3, rule.Limit));
        Assert.True(rule.Probing);
        Assert.Equal(shrunk, rule.SteadyLimit);
        Assert.Equal(shrunk, rule.Update(now + 0.1, Base * 3, 3));
        Assert.False(rule.Probing);
        Assert.Equal(Base * 3, rule.Baseline, 9);

        // At the new baseline the limit grows again.
        for (var window = 0; window < 20; window++)
        {
            rule.Update(now + 0.2 + (window * 0.1), Base * 3, rule.Limit);
        }

        Assert.True(rule.Limit > shrunk, $"{rule.Limit} > {shrunk}");
    }

    [Theory]
    [InlineData(0, 10, 5)]
    [InlineData(5, 4, 4)]
    [InlineData(2, 10, 1)]
    [InlineData(2, 10, 11)]
    public void Bounds_that_do_not_nest_are_refused(int minimum, int maximum, int initial) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientLimit(minimum, maximum, initial));

    [Fact]
    public void Beyond_the_limit_without_a_queue_a_request_is_refused_at_once_with_the_reason()
    {
        using var limiter = new AdaptiveConcurrencyLimiter(new GradientLimit(1, 4, 2), queueLimit: 0, TimeSpan.FromSeconds(1));
        using var first = limiter.AttemptAcquire();
        using var second = limiter.AttemptAcquire();
        using var third = limiter.AttemptAcquire();
        Assert.True(first.IsAcquired);
        Assert.True(second.IsAcquired);
        Assert.False(third.IsAcquired);
        Assert.True(third.TryGetMetadata(MetadataName.ReasonPhrase, out var reason));
        Assert.Equal(AdaptiveConcurrencyLimiter.Reasons.Limit, reason);
        Assert.Equal(2, limiter.InFlight);
    }

    [Fact]
    public async Task A_waiter_gets_the_first_slot_that_frees_and_the_queue_length_is_bounded()
    {
        var waits = new List<TimeSpan>();
        using var limiter = new AdaptiveConcurrencyLimiter(new GradientLimit(1, 4, 1), queueLimit: 1, TimeSpan.FromSeconds(30))
        {
            QueueWaitEnded = waits.Add,
        };
        var holder = await limiter.AcquireAsync();
        var waiting = limiter.AcquireAsync();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, limiter.Queued);

        using var full = await limiter.AcquireAsync();
        Assert.False(full.IsAcquired);

        holder.Dispose();
        using var admitted = await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(admitted.IsAcquired);
        Assert.Equal(0, limiter.Queued);
        Assert.Single(waits);
    }

    [Fact]
    public async Task A_waiter_is_refused_when_the_queue_timeout_passes_not_kept()
    {
        var timeout = TimeSpan.FromMilliseconds(100);
        using var limiter = new AdaptiveConcurrencyLimiter(new GradientLimit(1, 4, 1), queueLimit: 10, timeout);
        using var holder = await limiter.AcquireAsync();
        var watch = Stopwatch.StartNew();
        using var refused = await limiter.AcquireAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.ReasonPhrase, out var reason));
        Assert.Equal(AdaptiveConcurrencyLimiter.Reasons.QueueTimeout, reason);
        Assert.True(watch.Elapsed >= timeout - TimeSpan.FromMilliseconds(15), $"refused after {watch.Elapsed}");
        Assert.Equal(0, limiter.Queued);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_the_slot_goes_to_the_next()
    {
        using var limiter = new AdaptiveConcurrencyLimiter(new GradientLimit(2, 4, 2), queueLimit: 2, TimeSpan.FromSeconds(30));
        using var other = await limiter.AcquireAsync();
        var holder = await limiter.AcquireAsync();
        using var cancel = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(1, cancel.Token);
        var next = limiter.AcquireAsync();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
        Assert.Equal(1, limiter.Queued);

        holder.Dispose();
        using var lease = await next.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task No_more_requests_wait_than_the_limit_admits()
    {
        using var limiter = new AdaptiveConcurrencyLimiter(new GradientLimit(2, 2, 2), queueLimit: 32, TimeSpan.FromSeconds(30));
        var running = new[] { await limiter.AcquireAsync(), await limiter.AcquireAsync() };
        var waiting = new[] { limiter.AcquireAsync().AsTask(), limiter.AcquireAsync().AsTask() };
        Assert.All(waiting, w => Assert.False(w.IsCompleted));

        // A third would wait longer than one request's latency: refused at once, though the queue has room.
        using var refused = await limiter.AcquireAsync();
        Assert.False(refused.IsAcquired);
        Assert.Equal(2, limiter.Queued);

        foreach (var lease in running)
        {
            lease.Dispose();
        }

        foreach (var wait in waiting)
        {
            using var lease = await wait.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(lease.IsAcquired);
        }
    }

    [Fact]
    public async Task While_requests_arrive_faster_than_twice_they_finish_nobody_waits_and_when_arrivals_calm_the_queue_returns()
    {
        var clock = new ManualClock();
        using var limiter = new AdaptiveConcurrencyLimiter(new GradientLimit(2, 2, 2), queueLimit: 32, TimeSpan.FromSeconds(30), clock);

        // Long enough for a whole sample window: pairs of requests run at the limit while `extra` more arrive beside
        // each pair and are refused.
        void Window(int extra)
        {
            for (var pair = 0; pair < 2 * AdaptiveConcurrencyLimiter.MinWindowSamples; pair++)
            {
                using var lease = limiter.AttemptAcquire();
                Assert.True(lease.IsAcquired);
                using var other = limiter.AttemptAcquire();
                for (var i = 0; i < extra; i++)
                {
                    using var refused = limiter.AttemptAcquire();
                    Assert.False(refused.IsAcquired);
                }

                clock.Advance(AdaptiveConcurrencyLimiter.MinWindow / 4);
            }
        }

        // A closed loop: as many arrive as finish. A request beyond the limit waits.
        Window(extra: 0);
        Assert.False(limiter.Overloaded);
        var holders = new[] { limiter.AttemptAcquire(), limiter.AttemptAcquire() };
        var queued = limiter.AcquireAsync();
        Assert.False(queued.IsCompleted);
        holders[0].Dispose();
        (await queued.AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        holders[1].Dispose();

        // Three arrivals per finished request: beyond twice, plus the limit's burst. Refused at once, nobody queued.
        Window(extra: 4);
        Assert.True(limiter.Overloaded);
        using (var first = limiter.AttemptAcquire())
        using (var second = limiter.AttemptAcquire())
        {
            var shed = limiter.AcquireAsync();
            Assert.True(shed.IsCompleted);
            using var refused = await shed;
            Assert.False(refused.IsAcquired);
            Assert.True(refused.TryGetMetadata(MetadataName.ReasonPhrase, out var reason));
            Assert.Equal(AdaptiveConcurrencyLimiter.Reasons.Limit, reason);
            Assert.Equal(0, limiter.Queued);
        }

        Window(extra: 0);
        Assert.False(limiter.Overloaded);
    }

    [Fact]
    public void The_baseline_is_measured_on_requests_admitted_at_the_minimum_not_those_still_running_from_before()
    {
        var clock = new ManualClock();
        const int samples = AdaptiveConcurrencyLimiter.MinWindowSamples;
        var rule = new GradientLimit(minimum: 2, maximum: 32, initial: 32);
        using var limiter = new AdaptiveConcurrencyLimiter(rule, queueLimit: 0, TimeSpan.Zero, clock);
        var latency = TimeSpan.FromMilliseconds(100);

        List<RateLimitLease> Acquire(int count) => [.. Enumerable.Range(0, count).Select(_ => limiter.AttemptAcquire())];
        var first = Acquire(samples);
        clock.Advance(latency);
        first.ForEach(l => l.Dispose());
        Assert.Equal(0.1, rule.Baseline, 9);

        // The baseline expires: the window that notices starts a measurement at the minimum, with three still running.
        clock.Advance(GradientLimit.BaselineLifetime);
        var loaded = Acquire(samples + 3);
        Assert.All(loaded, l => Assert.True(l.IsAcquired));
        clock.Advance(latency);
        loaded.Take(samples).ToList().ForEach(l => l.Dispose());
        Assert.True(rule.Probing);
        Assert.Equal(2, limiter.Limit);

        // Those three finish late (1.1 s): not the backend's own latency, not counted.
        clock.Advance(TimeSpan.FromSeconds(1));
        loaded.Skip(samples).ToList().ForEach(l => l.Dispose());
        for (var round = 0; round <= samples / 2; round++)
        {
            var fresh = Acquire(2);
            clock.Advance(latency);
            fresh.ForEach(l => l.Dispose());
        }

        Assert.False(rule.Probing);
        Assert.Equal(0.1, rule.Baseline, 9);
        Assert.Equal(32, limiter.Limit);
    }

    [Fact]
    public void Slow_leases_shrink_the_limit_and_fast_ones_grow_it_back()
    {
        var clock = new ManualClock();
        using var limiter = new AdaptiveConcurrencyLimiter(new GradientLimit(2, 32, 16), queueLimit: 0, TimeSpan.Zero, clock);

        // Runs windows of requests, `limit` at a time, each taking `latency`.
        void Windows(int count, TimeSpan latency)
        {
            for (var window = 0; window < count; window++)
            {
                for (var done = 0; done < AdaptiveConcurrencyLimiter.MinWindowSamples;)
                {
                    var leases = Enumerable.Range(0, limiter.Limit).Select(_ => limiter.AttemptAcquire()).ToList();
                    clock.Advance(latency + AdaptiveConcurrencyLimiter.MinWindow);
                    leases.ForEach(l => l.Dispose());
                    done += leases.Count;
                }
            }
        }

        Windows(10, TimeSpan.FromMilliseconds(10));
        var fast = limiter.Limit;
        Assert.Equal(32, fast);

        // The admitted requests' latency is tenfold: the limit falls within a few windows.
        Windows(5, TimeSpan.FromMilliseconds(1000));
        Assert.True(limiter.Limit <= fast / 3, $"limit {limiter.Limit}");

        // Back at the baseline it climbs by half its square root a window, from as low as the minimum.
        Windows(30, TimeSpan.FromMilliseconds(10));
        Assert.Equal(32, limiter.Limit);
    }

    /// <summary>A clock the test moves (timers are not used by the tests that take it).</summary>
    [Fact]
    public async Task Statistics_idle_time_and_disposal_say_what_the_limiter_holds()
    {
        var clock = new ManualClock();
        var limiter = new AdaptiveConcurrencyLimiter(new GradientLimit(1, 4, 1), queueLimit: 2, TimeSpan.FromSeconds(30), clock);
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(3), limiter.IdleDuration);

        var holder = await limiter.AcquireAsync();
        Assert.Null(limiter.IdleDuration);
        Assert.Empty(holder.MetadataNames);
        Assert.False(holder.TryGetMetadata(MetadataName.ReasonPhrase.Name, out _));
        var waiting = limiter.AcquireAsync();
        var statistics = limiter.GetStatistics();
        Assert.NotNull(statistics);
        Assert.Equal((0, 1), (statistics.CurrentAvailablePermits, statistics.CurrentQueuedCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(2));

        // Disposed with a request waiting: the waiter is refused at once (with its reason), not left hanging.
        limiter.Dispose();
        using var refused = await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(refused.IsAcquired);
        Assert.Equal([MetadataName.ReasonPhrase.Name], refused.MetadataNames);
        holder.Dispose();
    }

    private sealed class ManualClock : TimeProvider
    {
        private long ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;

        public void Advance(TimeSpan by) => ticks += by.Ticks;
    }
}
