using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Core.UseCases;

namespace Users.Core.Tests;

public sealed class AvatarSweepTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private readonly ManualClock clock = new();
    private readonly SweepStore store = new();

    [Fact]
    public async Task Removes_old_avatars_no_user_points_to_and_keeps_the_others()
    {
        store.User("a@example.com", "avatars/a.png");
        store.Object("avatars/a.png", clock.Now - TimeSpan.FromDays(2));           // referenced
        store.Object("avatars/orphan-1.png", clock.Now - TimeSpan.FromHours(2));  // orphan
        store.Object("avatars/orphan-2.jpg", clock.Now - TimeSpan.FromDays(9));   // orphan
        store.Object("avatars/fresh.png", clock.Now - TimeSpan.FromMinutes(10));  // within the grace period

        var report = await Sweep().RunAsync(dryRun: false, CancellationToken.None);

        Assert.Null(report.Error);
        Assert.Equal(AvatarSweepReport.Results.Completed, report.Result);
        Assert.Equal(["avatars/a.png", "avatars/fresh.png"], store.Keys);
        Assert.Equal(["avatars/orphan-2.jpg", "avatars/orphan-1.png"], store.Deleted); // oldest first
        Assert.Equal((4, 2, 2, 1, 1, 1), (report.Examined, report.OrphansFound, report.Removed, report.KeptReferenced, report.KeptRecent, report.Users));
        Assert.Equal(report.Examined, report.Removed + report.Kept.Sum(k => k.Count));
    }

    [Fact]
    public async Task A_dry_run_removes_nothing_and_reports_what_it_would()
    {
        store.User("a@example.com", "avatars/a.png");
        store.Object("avatars/a.png", clock.Now - TimeSpan.FromDays(2));
        store.Object("avatars/orphan.png", clock.Now - TimeSpan.FromDays(2));

        var report = await Sweep(o => o.DryRun = true).RunAsync(dryRun: false, CancellationToken.None);

        Assert.True(report.DryRun);
        Assert.Empty(store.Deleted);
        Assert.Equal((1, 0, 1), (report.OrphansFound, report.Removed, report.KeptDryRun));
    }

    [Fact]
    public async Task A_dry_run_asked_for_by_the_caller_wins_over_the_settings()
    {
        store.User("a@example.com", "avatars/a.png");
        store.Object("avatars/orphan.png", clock.Now - TimeSpan.FromDays(2));

        var report = await Sweep().RunAsync(dryRun: true, CancellationToken.None);

        Assert.True(report.DryRun);
        Assert.Empty(store.Deleted);
    }

    [Fact]
    public async Task Removes_at_most_the_limit_and_leaves_the_rest_for_the_next_run()
    {
        store.User("a@example.com", "avatars/a.png");
        for (var i = 0; i < 10; i++)
        {
            store.Object($"avatars/orphan-{i}.png", clock.Now - TimeSpan.FromDays(2));
        }

        var report = await Sweep(o => o.MaxRemovals = 3).RunAsync(dryRun: false, CancellationToken.None);

        Assert.Null(report.Error);
        Assert.Equal((10, 3, 7), (report.OrphansFound, report.Removed, report.KeptOverLimit));
        Assert.Equal(7, store.Keys.Count);

        var next = await Sweep(o => o.MaxRemovals = 3).RunAsync(dryRun: false, CancellationToken.None);
        Assert.Equal((7, 3), (next.OrphansFound, next.Removed));
    }

    [Fact]
    public async Task A_user_written_while_the_sweep_runs_keeps_its_avatar()
    {
        store.User("a@example.com", "avatars/a.png");
        store.Object("avatars/late.png", clock.Now - TimeSpan.FromDays(2));
        // Written after the first scan, before the listing: the object is a candidate, the re-check must find its user.
        store.BeforeList = () => store.User("late@example.com", "avatars/late.png");

        var report = await Sweep().RunAsync(dryRun: false, CancellationToken.None);

        Assert.Empty(store.Deleted);
        Assert.Equal((0, 0, 1), (report.OrphansFound, report.Removed, report.KeptReferenced));
        Assert.Equal(2, store.Scans);
    }

    [Fact]
    public async Task Without_candidates_the_table_is_scanned_once()
    {
        store.User("a@example.com", "avatars/a.png");
        store.Object("avatars/a.png", clock.Now - TimeSpan.FromDays(2));

        await Sweep().RunAsync(dryRun: false, CancellationToken.None);

        Assert.Equal(1, store.Scans);
    }

    [Fact]
    public async Task Refuses_to_remove_anything_when_the_table_has_no_user()
    {
        store.Object("avatars/x.png", clock.Now - TimeSpan.FromDays(2));

        var report = await Sweep().RunAsync(dryRun: false, CancellationToken.None);

        Assert.Empty(store.Deleted);
        Assert.Equal(AvatarSweepReport.Results.Refused, report.Result);
        Assert.Contains("no user", report.Error, StringComparison.Ordinal);
        Assert.Equal(1, report.KeptRefused);
    }

    [Fact]
    public async Task Refuses_to_remove_anything_when_a_stored_url_names_no_avatar()
    {
        store.User("a@example.com", "avatars/a.png");
        store.Users.Add("https://elsewhere.example.com/picture");
        store.Object("avatars/x.png", clock.Now - TimeSpan.FromDays(2));

        var report = await Sweep().RunAsync(dryRun: false, CancellationToken.None);

        Assert.Empty(store.Deleted);
        Assert.Equal(AvatarSweepReport.Results.Refused, report.Result);
        Assert.Equal(1, report.UnreadableUrls);
    }

    [Fact]
    public async Task A_failing_removal_ends_the_run_and_counts_what_was_left()
    {
        store.User("a@example.com", "avatars/a.png");
        store.Object("avatars/o1.png", clock.Now - TimeSpan.FromDays(3));
        store.Object("avatars/o2.png", clock.Now - TimeSpan.FromDays(2));
        store.DeleteFailure = new StorageUnavailableException("S3 DeleteObject failed: timed out") { Dependency = "S3" };

        var report = await Sweep().RunAsync(dryRun: false, CancellationToken.None);

        Assert.Equal(AvatarSweepReport.Results.Failed, report.Result);
        Assert.Contains("DeleteObject", report.Error, StringComparison.Ordinal);
        Assert.Equal((2, 0, 2), (report.OrphansFound, report.Removed, report.KeptFailed));
        Assert.Equal(1, store.DeleteAttempts);
    }

    [Fact]
    public async Task A_failing_scan_ends_the_run_before_anything_is_removed()
    {
        store.Object("avatars/o1.png", clock.Now - TimeSpan.FromDays(3));
        store.ScanFailure = new StorageUnavailableException("DynamoDB Scan failed: timed out") { Dependency = "DynamoDB" };

        var report = await Sweep().RunAsync(dryRun: false, CancellationToken.None);

        Assert.Equal(AvatarSweepReport.Results.Failed, report.Result);
        Assert.Empty(store.Deleted);
        Assert.Equal(0, store.DeleteAttempts);
    }

    [Fact]
    public async Task Cancellation_ends_the_run_with_a_reason()
    {
        store.User("a@example.com", "avatars/a.png");
        store.Object("avatars/o1.png", clock.Now - TimeSpan.FromDays(3));
        using var cancel = new CancellationTokenSource();
        store.BeforeList = cancel.Cancel;

        var report = await Sweep().RunAsync(dryRun: false, cancel.Token);

        Assert.Equal(AvatarSweepReport.Results.Failed, report.Result);
        Assert.Contains("deadline", report.Error, StringComparison.Ordinal);
        Assert.Empty(store.Deleted);
    }

    [Fact]
    public void Fingerprints_tell_keys_apart()
    {
        var keys = Enumerable.Range(0, 100_000).Select(_ => $"avatars/{Guid.NewGuid():N}.png").ToList();
        Assert.Equal(keys.Count, keys.Select(AvatarSweep.Fingerprint).Distinct().Count());
        Assert.Equal(AvatarSweep.Fingerprint("avatars/a.png"), AvatarSweep.Fingerprint("avatars/a.png"));
    }

    private AvatarSweep Sweep(Action<AvatarSweepOptions>? configure = null)
    {
        var options = new AvatarSweepOptions { GracePeriod = Grace };
        configure?.Invoke(options);
        return new AvatarSweep(store, store, store, options, clock, NullLogger<AvatarSweep>.Instance);
    }

    /// <summary>A table's avatar URLs and a bucket's objects, in memory, paged by two.</summary>
    private sealed class SweepStore : IAvatarReferences, IAvatarInventory, IAvatarStore
    {
        private readonly SortedDictionary<string, DateTimeOffset> objects = new(StringComparer.Ordinal);

        public List<string> Users { get; } = [];

        public List<string> Deleted { get; } = [];

        public IReadOnlyList<string> Keys => [.. objects.Keys];

        public Action? BeforeList { get; set; }

        public Exception? DeleteFailure { get; set; }

        public Exception? ScanFailure { get; set; }

        public int Scans { get; private set; }

        public int DeleteAttempts { get; private set; }

        public void User(string email, string key) => Users.Add($"mem://{key}?user={email}");

        public void Object(string key, DateTimeOffset storedAt) => objects[key] = storedAt;

        public async IAsyncEnumerable<IReadOnlyList<string>> ScanAvatarUrlsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Scans++;
            await Task.Yield();
            if (ScanFailure is not null)
            {
                throw ScanFailure;
            }

            foreach (var page in Users.ToList().Chunk(2))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return page;
            }
        }

        public async IAsyncEnumerable<IReadOnlyList<StoredAvatar>> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            BeforeList?.Invoke();
            await Task.Yield();
            foreach (var page in objects.Select(o => new StoredAvatar(o.Key, o.Value)).ToList().Chunk(2))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return page;
            }
        }

        public string? KeyOf(string storedUrl) =>
            storedUrl.StartsWith("mem://", StringComparison.Ordinal) ? storedUrl["mem://".Length..].Split('?')[0] : null;

        public Task DeleteAsync(string key, CancellationToken cancellationToken)
        {
            DeleteAttempts++;
            if (DeleteFailure is not null)
            {
                return Task.FromException(DeleteFailure);
            }

            objects.Remove(key);
            Deleted.Add(key);
            return Task.CompletedTask;
        }

        public string NewKey(AvatarFormat format) => throw new NotSupportedException();

        public Task PutAsync(string key, ReadOnlyMemory<byte> content, AvatarFormat format, CancellationToken cancellationToken) => throw new NotSupportedException();

        public string StoredUrlFor(string key) => $"mem://{key}";

        public string ReadUrlFor(string storedUrl) => storedUrl;

        public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
