using Users.Reliability;

namespace Users.Tools.Tests;

/// <summary>
/// How the fault scenario decides that service came back: probes that go on after the load, the time of the final
/// all-successful run, and a service that never recovers, or recovers too late, failing.
/// </summary>
public sealed class RecoveryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Stable = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    [Fact]
    public void No_failed_probe_is_service_at_once() =>
        Assert.Equal(0, Recovery.Measure([new(0, true), new(0.25, true)]));

    [Fact]
    public void Service_returns_at_the_first_probe_after_the_last_failure() =>
        Assert.Equal(1.0, Recovery.Measure([new(0, false), new(0.5, true), new(0.75, false), new(1.0, true), new(1.25, true)]));

    [Fact]
    public void A_failing_last_probe_is_no_recovery()
    {
        Assert.Null(Recovery.Measure([new(0, true), new(0.25, false)]));
        Assert.Null(Recovery.Measure([]));
    }

    [Fact]
    public async Task A_service_that_never_recovers_is_probed_past_the_bound_and_not_recovered()
    {
        var probes = await Recovery.ProbeAsync(() => Task.FromResult(false), Task.CompletedTask, Bound, Stable, Interval);

        Assert.True(probes[^1].At > (Bound + Stable).TotalSeconds, $"probing stopped at {probes[^1].At} s");
        Assert.Null(Recovery.Measure(probes));
    }

    [Fact]
    public async Task Probes_go_on_until_the_load_ends_and_then_for_the_stable_window()
    {
        var load = new TaskCompletionSource();
        var rounds = 0;
        var probing = Recovery.ProbeAsync(
            () =>
            {
                if (Interlocked.Increment(ref rounds) == 5)
                {
                    load.SetResult(); // the load ends during the fifth round
                }

                return Task.FromResult(true);
            },
            load.Task,
            Bound,
            Stable,
            Interval);

        var probes = await probing;
        var ended = probes[4].At;
        Assert.True(probes[^1].At - ended >= Stable.TotalSeconds, $"stopped {probes[^1].At - ended} s after the load");
        Assert.Equal(0, Recovery.Measure(probes));
    }

    [Fact]
    public async Task A_service_back_only_after_the_bound_is_measured_past_it()
    {
        var started = DateTime.UtcNow;
        var probes = await Recovery.ProbeAsync(() => Task.FromResult(DateTime.UtcNow - started > Bound + TimeSpan.FromMilliseconds(100)), Task.CompletedTask, Bound, Stable, Interval);

        Assert.True(Recovery.Measure(probes) > Bound.TotalSeconds);
    }
}
