namespace Users.Core.UseCases;

/// <summary>What one run of the <see cref="AvatarSweep"/> found and did.</summary>
public sealed class AvatarSweepReport
{
    /// <summary>The closed set of values of the <c>result</c> attribute of <c>users.avatar.sweep.runs</c>.</summary>
    public static class Results
    {
        public const string Completed = "completed";

        /// <summary>Nothing removed: what the users point to could not be told (see <see cref="AvatarSweep"/>).</summary>
        public const string Refused = "refused";

        /// <summary>Ended early: a storage failure, or the deadline.</summary>
        public const string Failed = "failed";
    }

    /// <summary>The closed set of values of the <c>reason</c> attribute of <c>users.avatar.sweep.kept</c>.</summary>
    public static class KeptReasons
    {
        /// <summary>Stored within the grace period: its registration may still be on its way.</summary>
        public const string Recent = "recent";

        /// <summary>A user points to it.</summary>
        public const string Referenced = "referenced";

        /// <summary>An orphan beyond the run's removal limit, left for the next run.</summary>
        public const string Limit = "limit";

        /// <summary>An orphan a dry run reported without removing it.</summary>
        public const string DryRun = "dry_run";

        /// <summary>An orphan not removed because the store failed (or the run ran out of time) first.</summary>
        public const string Failed = "failed";

        /// <summary>An orphan not removed because the run refused to remove anything.</summary>
        public const string Refused = "refused";
    }

    public bool DryRun { get; init; }

    public DateTimeOffset Started { get; init; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>Users scanned (each with an avatar URL).</summary>
    public long Users { get; set; }

    /// <summary>Stored avatar URLs with no avatar key in them (the run then refuses to remove anything).</summary>
    public long UnreadableUrls { get; set; }

    /// <summary>Avatars listed.</summary>
    public long Examined { get; set; }

    /// <summary>Avatars older than the grace period that no user points to.</summary>
    public long OrphansFound { get; set; }

    public long Removed { get; set; }

    public long KeptRecent { get; set; }

    public long KeptReferenced { get; set; }

    public long KeptOverLimit { get; set; }

    public long KeptDryRun { get; set; }

    public long KeptFailed { get; set; }

    public long KeptRefused { get; set; }

    public bool Refused { get; set; }

    /// <summary>Why the run ended early or refused, or null when it completed.</summary>
    public string? Error { get; set; }

    /// <summary>completed, refused or failed.</summary>
    public string Result => Error is null ? Results.Completed : Refused ? Results.Refused : Results.Failed;

    /// <summary>Avatars kept, by reason (every examined avatar that was not removed).</summary>
    public IReadOnlyList<(string Reason, long Count)> Kept =>
    [
        (KeptReasons.Recent, KeptRecent),
        (KeptReasons.Referenced, KeptReferenced),
        (KeptReasons.Limit, KeptOverLimit),
        (KeptReasons.DryRun, KeptDryRun),
        (KeptReasons.Failed, KeptFailed),
        (KeptReasons.Refused, KeptRefused),
    ];
}
