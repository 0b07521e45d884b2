using System.Globalization;
using Microsoft.Extensions.Logging;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Core.Telemetry;

namespace Users.Core.UseCases;

/// <summary>
/// Removes the avatars no user points to: what a process could not settle before it died (a pod killed with
/// registrations in flight, a Lambda environment recycled with reconciler entries pending) or an avatar the
/// reconciler gave up on. The hosts run it on a schedule (a CronJob, a scheduled Lambda function, <c>make sweep</c>).
/// </summary>
/// <remarks>
/// One run: (1) a strongly consistent scan of the table, keeping one 64-bit fingerprint per referenced avatar (memory
/// ≈ 20 bytes a user, never a user's data); (2) the bucket's <c>avatars/</c> listing, page by page: an object stored
/// after the run's start minus the grace period is kept (its registration may still be on its way), one a user points
/// to is kept, any other is a candidate (at most <see cref="AvatarSweepOptions.MaxRemovals"/> held); (3) the candidates
/// are checked again against a second consistent scan, so a user written while the sweep ran (a registration in flight
/// at its start) keeps its avatar; (4) what is left is removed, oldest first, one log line per key — or, in a dry run,
/// only reported. It removes nothing when it cannot tell what the users point to: no user at all while old avatars
/// exist (a wrong table), or a stored URL with no avatar key in it.
/// </remarks>
public sealed partial class AvatarSweep(
    IAvatarReferences references, IAvatarInventory inventory, IAvatarStore avatars, AvatarSweepOptions options, TimeProvider clock, ILogger<AvatarSweep> logger)
{
    /// <summary>One run. Storage failures and cancellation end it early, reported in <see cref="AvatarSweepReport.Error"/>; it does not throw for them.</summary>
    /// <param name="dryRun">True forces a dry run whatever the settings say (never the other way round).</param>
    public async Task<AvatarSweepReport> RunAsync(bool dryRun, CancellationToken cancellationToken)
    {
        var report = new AvatarSweepReport { DryRun = dryRun || options.DryRun, Started = clock.GetUtcNow() };
        var cutoff = report.Started - options.GracePeriod;
        var candidates = new Dictionary<string, StoredAvatar>(StringComparer.Ordinal);
        try
        {
            var referenced = await ReferencedAsync(report, cancellationToken);
            await foreach (var page in inventory.ListAsync(cancellationToken))
            {
                foreach (var avatar in page)
                {
                    report.Examined++;
                    if (avatar.LastModified > cutoff)
                    {
                        report.KeptRecent++;
                    }
                    else if (referenced.Contains(Fingerprint(avatar.Key)))
                    {
                        report.KeptReferenced++;
                    }
                    else if (candidates.Count < options.MaxRemovals)
                    {
                        candidates[avatar.Key] = avatar;
                    }
                    else
                    {
                        report.KeptOverLimit++;
                    }
                }
            }

            if (candidates.Count > 0)
            {
                await RecheckAsync(candidates, report, cancellationToken);
            }

            report.OrphansFound = candidates.Count + report.KeptOverLimit;
            if (report.OrphansFound > 0 && Refusal(report, referenced.Count) is { } refusal)
            {
                report.Refused = true;
                report.Error = refusal;
                report.KeptRefused = candidates.Count;
                LogRefused(logger, refusal);
                return report;
            }

            await RemoveAsync(candidates, report, cancellationToken);
        }
        catch (StorageUnavailableException ex)
        {
            report.Error = ex.Message;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            report.Error = "stopped before its end (deadline or shutdown); the next run takes the rest";
        }
        finally
        {
            report.Elapsed = clock.GetUtcNow() - report.Started;
            report.KeptFailed = Math.Max(0, report.OrphansFound - report.KeptOverLimit - report.KeptRefused - report.Removed - report.KeptDryRun);
            Record(report);
            LogSummary(report);
        }

        return report;
    }

    /// <summary>The fingerprints of every avatar a stored user points to (a strongly consistent scan).</summary>
    private async Task<HashSet<ulong>> ReferencedAsync(AvatarSweepReport report, CancellationToken cancellationToken)
    {
        var referenced = new HashSet<ulong>();
        await foreach (var page in references.ScanAvatarUrlsAsync(cancellationToken))
        {
            foreach (var url in page)
            {
                report.Users++;
                if (inventory.KeyOf(url) is { } key)
                {
                    referenced.Add(Fingerprint(key));
                }
                else
                {
                    report.UnreadableUrls++;
                }
            }
        }

        return referenced;
    }

    /// <summary>A second consistent scan: a candidate a user points to now (written since the first scan read its page) is kept.</summary>
    private async Task RecheckAsync(Dictionary<string, StoredAvatar> candidates, AvatarSweepReport report, CancellationToken cancellationToken)
    {
        await foreach (var page in references.ScanAvatarUrlsAsync(cancellationToken))
        {
            foreach (var url in page)
            {
                if (inventory.KeyOf(url) is { } key && candidates.Remove(key))
                {
                    report.KeptReferenced++;
                    LogKeptOnRecheck(logger, key);
                }
            }
        }
    }

    /// <summary>Why nothing may be removed, or null: the sweep must know what every user points to.</summary>
    private static string? Refusal(AvatarSweepReport report, int referencedKeys) =>
        report.UnreadableUrls > 0
            ? $"{report.UnreadableUrls} stored avatar URL(s) name no avatars/ key, so what they point to is unknown: nothing removed"
            : referencedKeys == 0
                ? $"the table has no user while {report.OrphansFound} avatar(s) older than the grace period exist (a wrong table or region?): nothing removed"
                : null;

    private async Task RemoveAsync(Dictionary<string, StoredAvatar> candidates, AvatarSweepReport report, CancellationToken cancellationToken)
    {
        var logging = logger.IsEnabled(LogLevel.Information);
        foreach (var orphan in candidates.Values.OrderBy(a => a.LastModified))
        {
            var storedAt = logging ? orphan.LastModified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : string.Empty;
            if (report.DryRun)
            {
                report.KeptDryRun++;
                LogWouldRemove(logger, orphan.Key, storedAt);
                continue;
            }

            // A failed removal ends the run (the store is failing: the next run takes the rest), counted as kept, failed.
            await avatars.DeleteAsync(orphan.Key, cancellationToken);
            report.Removed++;
            LogRemoved(logger, orphan.Key, storedAt);
        }
    }

    private static void Record(AvatarSweepReport report)
    {
        UsersTelemetry.SweepExamined.Add(report.Examined);
        UsersTelemetry.SweepOrphans.Add(report.OrphansFound);
        UsersTelemetry.SweepRemoved.Add(report.Removed);
        foreach (var (reason, count) in report.Kept)
        {
            if (count > 0)
            {
                UsersTelemetry.SweepKept.Add(count, new KeyValuePair<string, object?>("reason", reason));
            }
        }

        UsersTelemetry.SweepRuns.Add(1, new KeyValuePair<string, object?>("result", report.Result));
    }

    private void LogSummary(AvatarSweepReport report)
    {
        if (report.Error is null)
        {
            if (report.DryRun)
            {
                LogDryRunCompleted(logger, report.Examined, report.OrphansFound, report.KeptDryRun, report.KeptOverLimit, report.Users, report.Elapsed.TotalSeconds);
            }
            else
            {
                LogCompleted(logger, report.Examined, report.OrphansFound, report.Removed, report.KeptOverLimit, report.Users, report.Elapsed.TotalSeconds);
            }
        }
        else
        {
            LogFailed(logger, report.Result, report.Error, report.Examined, report.OrphansFound, report.Removed, report.Elapsed.TotalSeconds);
        }
    }

    /// <summary>
    /// FNV-1a, 64 bits, of the key's characters: stable and cheap. Two keys sharing a fingerprint can only make the sweep
    /// keep an orphan, never remove an avatar a user points to.
    /// </summary>
    internal static ulong Fingerprint(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Avatar {AvatarKey} removed: no user points to it (stored {StoredAt})")]
    private static partial void LogRemoved(ILogger logger, string avatarKey, string storedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Avatar {AvatarKey} would be removed (dry run): no user points to it (stored {StoredAt})")]
    private static partial void LogWouldRemove(ILogger logger, string avatarKey, string storedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Avatar {AvatarKey} kept: a user written while the sweep ran points to it")]
    private static partial void LogKeptOnRecheck(ILogger logger, string avatarKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Avatar sweep refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Avatar sweep completed: {Examined} avatars examined, {OrphansFound} orphans found, {Removed} removed, {OverLimit} left over the limit for the next run, {Users} users, {Seconds:0.0} s")]
    private static partial void LogCompleted(ILogger logger, long examined, long orphansFound, long removed, long overLimit, long users, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Avatar sweep dry run completed: {Examined} avatars examined, {OrphansFound} orphans found, {WouldRemove} would be removed (listed above), {OverLimit} over the limit, {Users} users, {Seconds:0.0} s; nothing removed")]
    private static partial void LogDryRunCompleted(ILogger logger, long examined, long orphansFound, long wouldRemove, long overLimit, long users, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Avatar sweep {Result}: {Error} ({Examined} avatars examined, {OrphansFound} orphans found, {Removed} removed, {Seconds:0.0} s)")]
    private static partial void LogFailed(ILogger logger, string result, string error, long examined, long orphansFound, long removed, double seconds);
}
