using Microsoft.Extensions.Logging.Abstractions;
using Users.Core.Domain;
using Users.Core.UseCases;

namespace Users.Core.Tests;

/// <summary>The reconciler's decisions and timing, with in-memory ports and a hand-moved clock.</summary>
public sealed class AvatarReconcilerTests : IDisposable
{
    private const string Key = "avatars/1.png";
    private static readonly User Ada = new("Ada", "ada@example.com", "mem://avatars/1.png");

    private readonly FakeUsers users = new();
    private readonly FakeAvatars avatars = new();
    private readonly ManualClock clock = new();
    private readonly AvatarReconciler reconciler;

    public AvatarReconcilerTests()
    {
        reconciler = new AvatarReconciler(users, avatars, clock, NullLogger<AvatarReconciler>.Instance);
        avatars.Keys.Add(Key);
    }

    public void Dispose() => reconciler.Dispose();

    [Fact]
    public async Task Handing_over_work_wakes_a_waiting_host_at_once()
    {
        var waiting = reconciler.WaitForWorkAsync(Timeout.InfiniteTimeSpan, default);
        Assert.False(waiting.IsCompleted);

        reconciler.RemoveLater(Key);

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_lookup_waits_until_the_write_has_settled()
    {
        reconciler.CheckLater(Key, Ada);

        clock.Advance(AvatarReconciler.SettleTime - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await reconciler.RunDueAsync(default));
        Assert.Equal(0, users.Finds);
        Assert.Equal([Key], avatars.Keys);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await reconciler.RunDueAsync(default));
        Assert.Empty(avatars.Keys);
        Assert.Equal(0, reconciler.Pending);
        Assert.Null(reconciler.NextDue);
    }

    [Fact]
    public async Task The_avatar_stays_when_its_user_was_written_after_all()
    {
        users.Stored.Add(Ada);
        reconciler.CheckLater(Key, Ada);

        clock.Advance(AvatarReconciler.SettleTime);
        await reconciler.RunDueAsync(default);

        Assert.Equal([Key], avatars.Keys);
        Assert.Equal(0, avatars.Deletes);
        Assert.Equal(0, reconciler.Pending);
    }

    [Fact]
    public async Task The_avatar_goes_when_someone_else_holds_the_email()
    {
        users.Stored.Add(Ada with { Name = "Other", AvatarUrl = "mem://avatars/other.png" });
        reconciler.CheckLater(Key, Ada);

        clock.Advance(AvatarReconciler.SettleTime);
        await reconciler.RunDueAsync(default);

        Assert.Empty(avatars.Keys);
    }

    [Fact]
    public async Task While_the_stores_are_down_it_retries_with_doubling_back_off_up_to_the_cap_then_settles()
    {
        users.FindFailure = new StorageUnavailableException("dynamodb down");
        reconciler.CheckLater(Key, Ada);
        clock.Advance(AvatarReconciler.SettleTime);

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(0, await reconciler.RunDueAsync(default));
            var next = reconciler.NextDue!.Value;
            delays.Add(next - clock.Now);
            clock.Now = next;
        }

        Assert.Equal([2, 4, 8, 16, 30, 30], delays.Select(d => d.TotalSeconds));
        Assert.Equal(6, users.Finds);
        Assert.Equal([Key], avatars.Keys);

        users.FindFailure = null;
        Assert.Equal(1, await reconciler.RunDueAsync(default));
        Assert.Empty(avatars.Keys);
    }

    [Fact]
    public async Task A_removal_needs_no_lookup_and_is_retried_until_the_bucket_answers()
    {
        avatars.DeleteFailure = new StorageUnavailableException("s3 down");
        users.FindFailure = new InvalidOperationException("a removal must not look the user up");
        reconciler.RemoveLater(Key);

        clock.Advance(AvatarReconciler.FirstBackoff);
        Assert.Equal(0, await reconciler.RunDueAsync(default));
        Assert.Equal(1, reconciler.Pending);

        avatars.DeleteFailure = null;
        clock.Now = reconciler.NextDue!.Value;
        Assert.Equal(1, await reconciler.RunDueAsync(default));
        Assert.Empty(avatars.Keys);
    }

    [Fact]
    public async Task Two_runs_at_once_settle_an_entry_once()
    {
        var gate = new TaskCompletionSource();
        avatars.BeforeDelete = () => gate.Task;
        reconciler.RemoveLater(Key);
        clock.Advance(AvatarReconciler.FirstBackoff);

        var first = reconciler.RunDueAsync(default);
        var drain = reconciler.DrainAsync(default);
        gate.SetResult();

        Assert.Equal(1, await first);
        Assert.Equal(1, await drain); // in flight elsewhere: logged, not settled twice
        Assert.Equal(1, avatars.Deletes);
    }

    [Fact]
    public async Task A_key_handed_over_twice_is_settled_once()
    {
        reconciler.RemoveLater(Key);
        reconciler.RemoveLater(Key);
        Assert.Equal(1, reconciler.Pending);

        clock.Advance(AvatarReconciler.FirstBackoff);
        Assert.Equal(1, await reconciler.RunDueAsync(default));
        Assert.Equal(1, avatars.Deletes);
    }

    [Fact]
    public void Past_its_capacity_a_key_is_dropped_not_queued()
    {
        for (var i = 0; i < AvatarReconciler.Capacity + 5; i++)
        {
            reconciler.RemoveLater($"avatars/{i}.png");
        }

        Assert.Equal(AvatarReconciler.Capacity, reconciler.Pending);
    }

    [Fact]
    public async Task At_shutdown_settled_work_is_done_at_once_and_unsettled_work_is_only_logged()
    {
        avatars.Keys.Add("avatars/2.png");
        avatars.Keys.Add("avatars/3.png");
        reconciler.CheckLater(Key, Ada); // settled below
        reconciler.RemoveLater("avatars/2.png"); // not due yet, but a removal is safe at any time
        clock.Advance(AvatarReconciler.SettleTime);
        reconciler.CheckLater("avatars/3.png", Ada with { AvatarUrl = "mem://avatars/3.png" }); // just failed: must not be decided

        var left = await reconciler.DrainAsync(default);

        Assert.Equal(1, left);
        Assert.Equal(["avatars/3.png"], avatars.Keys);
        Assert.Equal(0, reconciler.Pending);
    }

    [Fact]
    public async Task An_entry_aws_keeps_refusing_is_given_up_after_a_bounded_number_of_attempts_and_kept_in_storage()
    {
        users.FindFailure = new StorageUnavailableException("DynamoDB GetItem denied")
        {
            Denial = new StorageDenial("dynamodb:GetItem", "table/users", "arn:aws:sts::123456789012:assumed-role/users-api-irsa/s"),
        };
        reconciler.CheckLater(Key, Ada);
        clock.Advance(AvatarReconciler.SettleTime);

        for (var attempt = 1; attempt < AvatarReconciler.MaxDeniedAttempts; attempt++)
        {
            Assert.Equal(0, await reconciler.RunDueAsync(default));
            Assert.Equal(1, reconciler.Pending);
            clock.Advance(AvatarReconciler.MaxBackoff);
        }

        Assert.Equal(0, await reconciler.RunDueAsync(default));
        Assert.Equal(AvatarReconciler.MaxDeniedAttempts, users.Finds);
        Assert.Equal(0, reconciler.Pending);
        Assert.Null(reconciler.NextDue);
        Assert.Equal([Key], avatars.Keys); // not removed: whether its user holds it could not be checked
    }

    [Fact]
    public async Task An_entry_whose_store_is_only_down_is_retried_past_the_denial_bound()
    {
        users.FindFailure = new StorageUnavailableException("DynamoDB GetItem failed: timed out") { OutcomeUnknown = true };
        reconciler.CheckLater(Key, Ada);
        clock.Advance(AvatarReconciler.SettleTime);

        for (var attempt = 0; attempt < AvatarReconciler.MaxDeniedAttempts + 2; attempt++)
        {
            await reconciler.RunDueAsync(default);
            clock.Advance(AvatarReconciler.MaxBackoff);
        }

        Assert.Equal(1, reconciler.Pending);
    }
}
