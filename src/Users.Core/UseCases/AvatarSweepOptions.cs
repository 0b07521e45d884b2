namespace Users.Core.UseCases;

/// <summary>What one run of the <see cref="AvatarSweep"/> may do. Read and checked at start by the host's settings.</summary>
public sealed class AvatarSweepOptions
{
    /// <summary>
    /// The shortest grace period allowed: longer than any registration can take between storing its avatar and its user's
    /// write landing in DynamoDB (the request deadline, 6.5 s, plus the settle time the reconciler allows an unanswered
    /// write, 10 s), so an avatar this old is never one whose user is still on its way.
    /// </summary>
    public static readonly TimeSpan MinimumGracePeriod = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Only avatars stored longer ago than this, as of the run's start, are candidates (<c>SWEEP_GRACE_PERIOD_SECONDS</c>;
    /// default one hour, at least <see cref="MinimumGracePeriod"/>).
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Removals at most in one run (<c>SWEEP_MAX_REMOVALS</c>, default 1,000): a bug, or a sweep pointed at the wrong
    /// table, cannot empty the bucket in one go; what is left is counted (kept, reason <c>limit</c>) and taken by the next run.
    /// </summary>
    public int MaxRemovals { get; set; } = 1000;

    /// <summary>Report what would be removed, remove nothing (<c>SWEEP_DRY_RUN</c>).</summary>
    public bool DryRun { get; set; }
}
