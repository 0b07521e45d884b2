using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Users.Core.Telemetry;

/// <summary>
/// The service's own spans and instruments (System.Diagnostics only: the hosts decide where they are exported).
/// Names, units and attributes follow the OpenTelemetry conventions: dotted lower-case names, UCUM units
/// (<c>s</c>, <c>By</c>, <c>{call}</c>), low-cardinality attribute values from closed sets.
/// </summary>
public static class UsersTelemetry
{
    /// <summary>The name of both the <see cref="Meter"/> and the <see cref="ActivitySource"/>.</summary>
    public const string Name = "Users.Api";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Duration of one DynamoDB or S3 call, SDK retries included.</summary>
    public static readonly Histogram<double> DependencyDuration = Meter.CreateHistogram(
        "users.dependency.duration",
        unit: "s",
        description: "Duration of DynamoDB and S3 calls, retries included.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary>DynamoDB and S3 calls by outcome (ok, throttled, timeout, unavailable, error).</summary>
    public static readonly Counter<long> DependencyCalls = Meter.CreateCounter<long>(
        "users.dependency.calls", unit: "{call}", description: "DynamoDB and S3 calls by outcome.");

    /// <summary>
    /// DynamoDB and S3 calls AWS refused on authorization (access denied, an expired or unrecognised token), by dependency
    /// and operation: a permission the role lacks, a permanent fault until its policy is fixed (alert UsersApiAwsAccessDenied).
    /// </summary>
    public static readonly Counter<long> DependencyDenials = Meter.CreateCounter<long>(
        "users.dependency.denials", unit: "{call}", description: "DynamoDB and S3 calls refused on authorization, by operation.");

    /// <summary>Registrations (<c>POST /user</c>) by outcome.</summary>
    public static readonly Counter<long> Registrations = Meter.CreateCounter<long>(
        "users.registrations", unit: "{registration}", description: "Registrations by outcome.");

    /// <summary>Size of stored avatars by detected format.</summary>
    public static readonly Histogram<long> AvatarSize = Meter.CreateHistogram(
        "users.avatar.size",
        unit: "By",
        description: "Size of stored avatars by detected format.",
        tags: null,
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1_024, 16_384, 65_536, 262_144, 1_048_576, 2_097_152, 4_194_304] });

    /// <summary>Removals of avatars left by a failed registration, by result (removed, left_behind).</summary>
    public static readonly Counter<long> OrphanCleanups = Meter.CreateCounter<long>(
        "users.avatar.orphan_cleanups", unit: "{cleanup}", description: "Clean-ups of avatars left by failed registrations, by result.");

    /// <summary>Avatars of failed registrations the reconciler still has to settle (kept or removed).</summary>
    public static readonly UpDownCounter<long> ReconciliationPending = Meter.CreateUpDownCounter<long>(
        "users.avatar.reconciliation.pending", unit: "{avatar}", description: "Avatars of failed registrations not settled yet.");

    /// <summary>Avatars of failed registrations settled by the reconciler, by result (kept, removed, abandoned).</summary>
    public static readonly Counter<long> Reconciliations = Meter.CreateCounter<long>(
        "users.avatar.reconciliations", unit: "{avatar}", description: "Avatars of failed registrations settled later, by result.");

    /// <summary>Avatars the sweep listed (every object under <c>avatars/</c>), over all its runs.</summary>
    public static readonly Counter<long> SweepExamined = Meter.CreateCounter<long>(
        "users.avatar.sweep.examined", unit: "{avatar}", description: "Avatars the sweep examined.");

    /// <summary>Avatars older than the grace period that no user points to, as the sweep found them (alert UsersApiAvatarOrphansFound).</summary>
    public static readonly Counter<long> SweepOrphans = Meter.CreateCounter<long>(
        "users.avatar.sweep.orphans", unit: "{avatar}", description: "Avatars no user points to, found by the sweep.");

    /// <summary>Orphaned avatars the sweep removed.</summary>
    public static readonly Counter<long> SweepRemoved = Meter.CreateCounter<long>(
        "users.avatar.sweep.removed", unit: "{avatar}", description: "Avatars no user points to, removed by the sweep.");

    /// <summary>Avatars the sweep examined and kept, by reason (recent, referenced, limit, dry_run, failed, refused).</summary>
    public static readonly Counter<long> SweepKept = Meter.CreateCounter<long>(
        "users.avatar.sweep.kept", unit: "{avatar}", description: "Avatars the sweep examined and kept, by reason.");

    /// <summary>Sweep runs by result (completed, refused, failed).</summary>
    public static readonly Counter<long> SweepRuns = Meter.CreateCounter<long>(
        "users.avatar.sweep.runs", unit: "{run}", description: "Avatar sweep runs by result.");

    /// <summary>Registration outcomes: the closed set of values of the <c>outcome</c> attribute.</summary>
    public static class RegistrationOutcome
    {
        public const string Created = "created";
        public const string Duplicate = "duplicate";
        public const string Invalid = "invalid";
        public const string UnsupportedMedia = "unsupported_media";
        public const string TooLarge = "too_large";
        public const string Unavailable = "unavailable";

        /// <summary>The form did not arrive within <c>FORM_READ_TIMEOUT_SECONDS</c> (408).</summary>
        public const string TimedOut = "timed_out";
    }

    public static void RecordRegistration(string outcome) =>
        Registrations.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    internal static void RecordAvatar(string format, long bytes) =>
        AvatarSize.Record(bytes, new KeyValuePair<string, object?>("format", format));

    internal static void RecordOrphanCleanup(bool removed) =>
        OrphanCleanups.Add(1, new KeyValuePair<string, object?>("result", removed ? "removed" : "left_behind"));
}
