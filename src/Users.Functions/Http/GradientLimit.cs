namespace Users.Functions.Http;

/// <summary>
/// The adaptive concurrency limit's rule: a gradient over a latency baseline, as Netflix's concurrency-limits
/// (Gradient2) and Envoy's adaptive concurrency filter do. Once per sample window (the average latency of the
/// requests that finished in it, and the most that ran at once):
/// <list type="bullet">
/// <item><b>baseline</b>: the lowest window average seen since the baseline was last measured: the latency of the
/// backend without queueing. It is measured afresh every <see cref="BaselineLifetime"/> in one window run at the minimum
/// limit (Envoy's minRTT window), so a backend that has become slower for good is learnt, and a baseline taken under
/// load cannot ratchet upwards;</item>
/// <item><b>gradient</b> = <see cref="Tolerance"/> × baseline ÷ window average, clamped to [0.5, 1]: 1 while latency
/// stays within the tolerance, smaller the more requests are waiting inside the backend;</item>
/// <item><b>new limit</b>: within the tolerance, limit + √limit (the headroom that probes for more), only when the
/// window used at least half the limit (an idle service does not earn a larger limit); above it, limit × gradient, with
/// no headroom: so under overload the limit settles where the window's latency meets tolerance × baseline, not above it
/// (a headroom added there too held it where the gradient's fall balances it: at 8× capacity against moto about 6.5
/// running and admitted p99 2.5× the unloaded p99). Both smoothed by <see cref="Smoothing"/>: a window is a handful of
/// samples, and one noisy window takes at most a quarter off. Bounded by the settings' minimum and maximum.</item>
/// </list>
/// Pure and single-threaded: the limiter calls it under its lock; times are seconds on any monotonic clock.
/// </summary>
public sealed class GradientLimit
{
    /// <summary>
    /// Latency above the baseline tolerated before the limit shrinks. The baseline is the lowest window average, below
    /// the unloaded mean; at 2 the limit settled at about 3 running against moto at 8× capacity, admitted p99 1.0× the
    /// unloaded p99 but goodput 89 % of capacity; 2.5 buys the goodput with the latency the bound leaves. (Those ratios
    /// were against an unloaded p99 inflated by the app's first requests and a capacity measured mostly on GETs, both
    /// since fixed in the campaign: measured again, at 2.5 the limit settles at about 3 and admitted p99 is 8–10× the
    /// unloaded p99, goodput 87–92 % of capacity; see <see cref="Settings.AdmissionOptions.LimitMode"/>.)
    /// </summary>
    public const double Tolerance = 2.5;

    /// <summary>Weight of a new window's limit (the rest is the old limit), up or down.</summary>
    public const double Smoothing = 0.5;

    /// <summary>How long a measured baseline is trusted before it is measured again at the minimum limit.</summary>
    public static readonly TimeSpan BaselineLifetime = TimeSpan.FromSeconds(30);

    private readonly int minimum;
    private readonly int maximum;
    private double limit;
    private double baseline = double.PositiveInfinity;
    private double baselineMeasuredAt = double.NegativeInfinity;
    private double? limitBeforeProbe;

    public GradientLimit(int minimum, int maximum, int initial)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, minimum);
        ArgumentOutOfRangeException.ThrowIfLessThan(initial, minimum);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initial, maximum);
        this.minimum = minimum;
        this.maximum = maximum;
        limit = initial;
    }

    /// <summary>The current limit: requests that may run at once.</summary>
    public int Limit => (int)limit;

    /// <summary>The latency baseline in seconds (infinity before the first window).</summary>
    public double Baseline => baseline;

    /// <summary>The limit outside baseline measurements (during one, the limit it will return to).</summary>
    public int SteadyLimit => (int)(limitBeforeProbe ?? limit);

    /// <summary>True while a window runs at the minimum limit to measure the baseline afresh.</summary>
    public bool Probing => limitBeforeProbe is not null;

    /// <summary>Takes one window's figures and returns the new limit.</summary>
    /// <param name="now">When the window closed (seconds).</param>
    /// <param name="averageLatency">Average latency of the requests that finished in the window (seconds, &gt; 0).</param>
    /// <param name="peakInFlight">The most requests that ran at once during the window.</param>
    public int Update(double now, double averageLatency, int peakInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(averageLatency);

        if (limitBeforeProbe is { } restored)
        {
            // The window run at the minimum limit: its latency is the backend's own, whatever it was before.
            baseline = averageLatency;
            baselineMeasuredAt = now;
            limitBeforeProbe = null;
            limit = restored;
            return Limit;
        }

        if (averageLatency < baseline)
        {
            baseline = averageLatency;
            baselineMeasuredAt = now;
        }
        else if (now - baselineMeasuredAt >= BaselineLifetime.TotalSeconds)
        {
            limitBeforeProbe = limit;
            limit = minimum;
            return Limit;
        }

        var gradient = Math.Clamp(Tolerance * baseline / averageLatency, 0.5, 1.0);
        if (gradient < 1)
        {
            limit = Math.Max(((1 - Smoothing) * limit) + (Smoothing * limit * gradient), minimum);
        }
        else if (peakInFlight * 2 >= limit)
        {
            limit = Math.Min(limit + (Smoothing * Math.Sqrt(limit)), maximum);
        }

        return Limit;
    }
}
