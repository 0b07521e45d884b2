using Users.Core.UseCases;

namespace Users.Functions.Settings;

/// <summary>
/// The avatar sweep's settings (see <see cref="AvatarSweepOptions"/>). Read with every other setting, by the API too, so
/// that the ConfigMap or the function environment both share is checked whichever of them starts first. When it runs is
/// not one of them: that is the scheduler's (the chart's CronJob schedule, the SAM function's Schedule event).
/// </summary>
public static partial class SettingsReader
{
    public const string SweepGracePeriod = "SWEEP_GRACE_PERIOD_SECONDS";
    public const string SweepMaxRemovals = "SWEEP_MAX_REMOVALS";
    public const string SweepDryRun = "SWEEP_DRY_RUN";

    /// <summary>The most removals one run may be allowed (its candidates are held in memory).</summary>
    public const int SweepMaxRemovalsCeiling = 100_000;

    private static AvatarSweepOptions ReadSweep(IConfiguration configuration, List<string> errors)
    {
        var options = new AvatarSweepOptions();
        var grace = Integer(configuration, SweepGracePeriod, (long)AvatarSweepOptions.MinimumGracePeriod.TotalSeconds, 30L * 24 * 3600,
            "seconds (longer than any registration can take)", errors);
        if (grace is not null)
        {
            options.GracePeriod = TimeSpan.FromSeconds(grace.Value);
        }

        options.MaxRemovals = (int)(Integer(configuration, SweepMaxRemovals, 1, SweepMaxRemovalsCeiling, "avatars", errors) ?? options.MaxRemovals);
        options.DryRun = Boolean(configuration, SweepDryRun, errors) ?? options.DryRun;
        return options;
    }
}
