using System.Diagnostics;

namespace Users.Reliability;

/// <summary>One round of recovery probes: when it started (seconds after the fault cleared) and whether all of it succeeded.</summary>
internal sealed record Probe(double At, bool Ok);

/// <summary>
/// How long full service takes to return once a dependency fault clears, measured by probes of their own rather than
/// by the load's samples (which are timed when sent, and stop with the load): from the moment the fault clears, a
/// <c>GET /users</c> and a <c>POST /user</c> every 250 ms, through the end of the load and for
/// <see cref="StableFor"/> after it; while they still fail, until <see cref="Bound"/> (plus that window) has passed.
/// </summary>
internal static class Recovery
{
    /// <summary>The bound docs/reliability.md states: full service within 10 s of the fault clearing.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>How long every probe must succeed, after the load has ended, for service to count as back.</summary>
    public static readonly TimeSpan StableFor = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    // The load's own requests are bounded by its client's timeout; this bounds the loop whatever happens.
    private const double MaxSeconds = 120;

    /// <summary>
    /// Probes <paramref name="probe"/> from now (the fault has just cleared) until service is back and stable after
    /// <paramref name="load"/> has ended, or the bound has passed; the defaults are <see cref="Bound"/>, <see cref="StableFor"/>
    /// and <see cref="Interval"/>.
    /// </summary>
    public static async Task<IReadOnlyList<Probe>> ProbeAsync(Func<Task<bool>> probe, Task load, TimeSpan? bound = null, TimeSpan? stableFor = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(load);
        var cleared = Stopwatch.StartNew();
        var probes = new List<Probe>();
        double? loadEnded = null;
        while (true)
        {
            var at = cleared.Elapsed.TotalSeconds;
            probes.Add(new Probe(at, await probe()));
            loadEnded ??= load.IsCompleted ? at : null;
            if ((loadEnded is not null && Done(probes, loadEnded.Value, at, bound ?? Bound, stableFor ?? StableFor)) || at > MaxSeconds)
            {
                return probes;
            }

            await Task.Delay(interval ?? Interval);
        }
    }

    /// <summary>
    /// Seconds after the fault cleared at which full service returned: the start of the final run of successful
    /// probes (0 when none failed); null when the last probe failed (service had not returned when probing stopped).
    /// </summary>
    public static double? Measure(IReadOnlyList<Probe> probes)
    {
        ArgumentNullException.ThrowIfNull(probes);
        if (probes.Count == 0 || !probes[^1].Ok)
        {
            return null;
        }

        var lastFailure = probes.Select((p, i) => (p, i)).LastOrDefault(x => !x.p.Ok, (null!, -1)).i;
        return lastFailure < 0 ? 0 : probes[lastFailure + 1].At;
    }

    /// <summary>Once the load has ended: every probe of the last <paramref name="stableFor"/> succeeded, or the bound has passed.</summary>
    private static bool Done(List<Probe> probes, double loadEnded, double at, TimeSpan bound, TimeSpan stableFor)
    {
        var window = stableFor.TotalSeconds;
        var stable = at - loadEnded >= window && probes.Where(p => p.At >= at - window).All(p => p.Ok);
        return stable || at > (bound + stableFor).TotalSeconds;
    }
}
