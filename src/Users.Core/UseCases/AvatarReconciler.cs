using Microsoft.Extensions.Logging;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Core.Telemetry;

namespace Users.Core.UseCases;

/// <summary>
/// Finishes what a failed registration could not: an avatar stored for a user whose write ended without a known
/// outcome (DynamoDB unreachable or hung), or an avatar whose removal failed. Each is kept here and retried with
/// back-off until the dependency answers: the avatar stays when its user was written after all, and is removed
/// otherwise. Without it, every registration that fails while DynamoDB is down leaves an object no user points to
/// (seen as orphans by the dependency-fault scenarios of docs/reliability.md).
/// </summary>
/// <remarks>
/// In memory and bounded (<see cref="Capacity"/>): what a process cannot finish before it stops, what does not fit, or
/// what AWS keeps refusing on authorization (<see cref="MaxDeniedAttempts"/>) is logged at Error with its key (the
/// scheduled <see cref="AvatarSweep"/> removes those). A host calls
/// <see cref="RunDueAsync"/> periodically (Users.Functions' AvatarReconcilerService).
/// </remarks>
public sealed partial class AvatarReconciler(IUserRepository users, IAvatarStore avatars, TimeProvider clock, ILogger<AvatarReconciler> logger) : IDisposable
{
    /// <summary>Entries kept at most; past it, a new entry is logged and dropped.</summary>
    public const int Capacity = 10_000;

    /// <summary>
    /// How long after a write of unknown outcome its user is first looked up: long past the point where DynamoDB could
    /// still apply the request the client gave up on, so "not there" means it never will be.
    /// </summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay after a failed attempt; it doubles up to <see cref="MaxBackoff"/>.</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Attempts at an entry whose calls AWS refuses on authorization before it is given up (logged at Error with its key,
    /// counted as <c>denied</c>): a missing permission is not fixed by retrying, and would otherwise be retried until the
    /// process stops.
    /// </summary>
    public const int MaxDeniedAttempts = 3;

    /// <summary>Time allowed for one lookup or removal.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock gate = new();
    private readonly SemaphoreSlim workAdded = new(0);
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <summary>Entries not resolved yet.</summary>
    public int Pending
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>
    /// The avatar <paramref name="key"/> was stored for <paramref name="user"/>, whose write ended without a known outcome:
    /// keep it if the user turns out to be stored with it, remove it otherwise.
    /// </summary>
    public void CheckLater(string key, User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        Add(new Entry(key, user, clock.GetUtcNow() + SettleTime, Attempts: 0));
    }

    /// <summary>The avatar <paramref name="key"/> belongs to no user but could not be removed (or may have been stored by a failed upload).</summary>
    public void RemoveLater(string key) => Add(new Entry(key, User: null, clock.GetUtcNow() + FirstBackoff, Attempts: 0));

    /// <summary>The earliest time an entry is due, or null when none is pending (or all are being settled).</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (gate)
            {
                var waiting = entries.Values.Where(e => e.Due != DateTimeOffset.MaxValue).ToList();
                return waiting.Count == 0 ? null : waiting.Min(e => e.Due);
            }
        }
    }

    /// <summary>
    /// Waits until an entry is handed over or <paramref name="timeout"/> passes (infinite: only the former), so an idle
    /// host polls nothing. Returns true when woken by new work.
    /// </summary>
    public Task<bool> WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken) => workAdded.WaitAsync(timeout, cancellationToken);

    /// <summary>Works through the entries that are due; returns how many were resolved.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        Entry[] due;
        lock (gate)
        {
            // Claimed: an entry in flight is due at MaxValue, so a concurrent run (the shutdown drain) leaves it alone.
            due = [.. entries.Values.Where(e => e.Due <= now).OrderBy(e => e.Due)];
            foreach (var entry in due)
            {
                entries[entry.Key] = entry with { Due = DateTimeOffset.MaxValue };
            }
        }

        var resolved = 0;
        foreach (var entry in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await TryResolveAsync(entry, cancellationToken))
            {
                resolved++;
            }
        }

        return resolved;
    }

    /// <summary>
    /// At shutdown: one last attempt at every entry whose user can be looked up safely, then every key still pending
    /// is logged at Error, so that nothing is forgotten silently. Returns how many were left.
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            // Removals are safe at any time; a lookup only once the write has settled (its first due time has passed).
            var now = clock.GetUtcNow();
            foreach (var entry in entries.Values.Where(e => e.Due != DateTimeOffset.MaxValue && (e.User is null || e.Attempts > 0 || e.Due <= now)).ToList())
            {
                entries[entry.Key] = entry with { Due = DateTimeOffset.MinValue };
            }
        }

        try
        {
            await RunDueAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of time: what is left is logged below.
        }

        List<Entry> left;
        lock (gate)
        {
            left = [.. entries.Values];
            entries.Clear();
        }

        foreach (var entry in left)
        {
            LogLeftAtShutdown(logger, entry.Key);
            Record(Outcome.Abandoned, -1);
        }

        return left.Count;
    }

    public void Dispose() => workAdded.Dispose();

    private void Add(Entry entry)
    {
        bool added;
        lock (gate)
        {
            added = entries.Count < Capacity && entries.TryAdd(entry.Key, entry);
        }

        if (added)
        {
            UsersTelemetry.ReconciliationPending.Add(1);
            workAdded.Release();
        }
        else
        {
            LogDropped(logger, entry.Key, Capacity);
            Record(Outcome.Abandoned, 0);
        }
    }

    private async Task<bool> TryResolveAsync(Entry entry, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CallTimeout);
            if (entry.User is { } user)
            {
                var stored = await users.FindAsync(user.Email, timeout.Token);
                if (stored is not null && stored.AvatarUrl == user.AvatarUrl)
                {
                    LogKeptForUser(logger, entry.Key);
                    Resolve(entry, Outcome.Kept);
                    return true;
                }
            }

            await avatars.DeleteAsync(entry.Key, timeout.Token);
            LogRemoved(logger, entry.Key);
            Resolve(entry, Outcome.Removed);
            return true;
        }
        catch (StorageUnavailableException ex) when (ex.Denial is { } denial && entry.Denials + 1 >= MaxDeniedAttempts)
        {
            LogDeniedGivenUp(logger, entry.Key, entry.Denials + 1, denial.Action, denial.Resource, denial.Principal);
            Resolve(entry, Outcome.Denied);
            return false;
        }
        catch (Exception ex) when (ex is StorageUnavailableException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var attempts = entry.Attempts + 1;
            var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(attempts - 1, 16)));
            lock (gate)
            {
                entries[entry.Key] = entry with { Due = clock.GetUtcNow() + backoff, Attempts = attempts, Denials = entry.Denials + (ex is StorageUnavailableException { Denial: not null } ? 1 : 0) };
            }

            LogRetry(logger, entry.Key, attempts, backoff.TotalSeconds, ex.Message);
            return false;
        }
    }

    private void Resolve(Entry entry, string outcome)
    {
        bool removed;
        lock (gate)
        {
            removed = entries.Remove(entry.Key);
        }

        Record(outcome, removed ? -1 : 0);
    }

    private static void Record(string outcome, int pendingChange)
    {
        if (pendingChange != 0)
        {
            UsersTelemetry.ReconciliationPending.Add(pendingChange);
        }

        UsersTelemetry.Reconciliations.Add(1, new KeyValuePair<string, object?>("result", outcome));
    }

    /// <summary>An avatar to settle: with the user it was stored for (look up first), or without (remove).</summary>
    private sealed record Entry(string Key, User? User, DateTimeOffset Due, int Attempts, int Denials = 0);

    /// <summary>The closed set of values of the <c>result</c> attribute of <c>users.avatar.reconciliations</c>.</summary>
    internal static class Outcome
    {
        public const string Kept = "kept";
        public const string Removed = "removed";
        public const string Abandoned = "abandoned";

        /// <summary>Given up after <see cref="MaxDeniedAttempts"/> attempts AWS refused on authorization.</summary>
        public const string Denied = "denied";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Avatar {AvatarKey} kept: its user's write had landed")]
    private static partial void LogKeptForUser(ILogger logger, string avatarKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Avatar {AvatarKey} of a failed registration removed")]
    private static partial void LogRemoved(ILogger logger, string avatarKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Avatar {AvatarKey} not settled yet (attempt {Attempts}, next in {BackoffSeconds} s): {Reason}")]
    private static partial void LogRetry(ILogger logger, string avatarKey, int attempts, double backoffSeconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Avatar {AvatarKey} of a failed registration given up after {Attempts} attempts: AWS refused {Action} on {Resource} to {Principal}; grant it (docs/iam.md), then remove the avatar if no user points to it")]
    private static partial void LogDeniedGivenUp(ILogger logger, string avatarKey, int attempts, string action, string resource, string principal);

    [LoggerMessage(Level = LogLevel.Error, Message = "Avatar {AvatarKey} of a failed registration not settled before shutdown: remove it if no user points to it")]
    private static partial void LogLeftAtShutdown(ILogger logger, string avatarKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Avatar {AvatarKey} of a failed registration not tracked ({Capacity} already pending): remove it if no user points to it")]
    private static partial void LogDropped(ILogger logger, string avatarKey, int capacity);
}
