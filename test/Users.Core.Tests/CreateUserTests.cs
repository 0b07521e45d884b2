using Microsoft.Extensions.Logging.Abstractions;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Core.UseCases;

namespace Users.Core.Tests;

/// <summary>The registration's ordering and clean-up logic, with in-memory ports (the real stores are covered by the API tests).</summary>
public sealed class CreateUserTests : IDisposable
{
    /// <summary>A complete 1×1 PNG (its metadata is stripped before the upload: the structure must be whole).</summary>
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private readonly FakeUsers users = new();
    private readonly FakeAvatars avatars = new();

    private readonly ManualClock clock = new();

    public CreateUserTests() => Reconciler = new AvatarReconciler(users, avatars, clock, NullLogger<AvatarReconciler>.Instance);

    private AvatarReconciler Reconciler { get; }

    public void Dispose() => Reconciler.Dispose();

    private CreateUser Handler => new(users, avatars, Reconciler, NullLogger<CreateUser>.Instance);

    [Fact]
    public async Task Stores_the_avatar_then_the_user()
    {
        var result = await Handler.HandleAsync(new CreateUserCommand(" Ada ", "ADA@example.com", Png), default);

        var created = Assert.IsType<CreateUserResult.Created>(result);
        Assert.Equal(new User("Ada", "ada@example.com", "mem://avatars/1.png"), created.User);
        Assert.Equal(["avatars/1.png"], avatars.Keys);
        Assert.Equal([created.User], users.Stored);
    }

    [Fact]
    public async Task An_image_whose_structure_cannot_be_followed_is_unsupported_and_touches_no_store()
    {
        var result = await Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png.AsMemory(0, 20)), default);

        var unsupported = Assert.IsType<CreateUserResult.UnsupportedAvatar>(result);
        Assert.StartsWith("The avatar is not a well-formed PNG image: ", unsupported.Detail, StringComparison.Ordinal);
        Assert.Equal(0, avatars.Puts);
        Assert.Empty(users.Stored);
    }

    [Fact]
    public async Task Invalid_input_touches_no_store()
    {
        var result = await Handler.HandleAsync(new CreateUserCommand("", "bad", Png), default);

        Assert.IsType<CreateUserResult.Invalid>(result);
        Assert.Empty(avatars.Keys);
        Assert.Equal(0, avatars.Puts);
        Assert.Empty(users.Stored);
    }

    [Fact]
    public async Task Unsupported_image_touches_no_store()
    {
        var result = await Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", "<svg/>"u8.ToArray()), default);

        Assert.IsType<CreateUserResult.UnsupportedAvatar>(result);
        Assert.Equal(0, avatars.Puts);
        Assert.Empty(users.Stored);
    }

    [Fact]
    public async Task A_duplicate_removes_its_upload()
    {
        users.Stored.Add(new User("Ada", "ada@example.com", "x"));

        var result = await Handler.HandleAsync(new CreateUserCommand("Other", "Ada@Example.com", Png), default);

        Assert.Equal("ada@example.com", Assert.IsType<CreateUserResult.AlreadyExists>(result).Email);
        Assert.Equal(1, avatars.Puts);
        Assert.Empty(avatars.Keys);
    }

    [Fact]
    public async Task A_failed_user_write_removes_the_upload_and_rethrows()
    {
        users.Failure = new StorageUnavailableException("down");

        await Assert.ThrowsAsync<StorageUnavailableException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default));

        Assert.Equal(1, avatars.Puts);
        Assert.Empty(avatars.Keys);
    }

    [Fact]
    public async Task A_cancelled_request_still_removes_the_upload()
    {
        using var cancel = new CancellationTokenSource();
        users.OnCreate = cancel.Cancel;
        users.Failure = new OperationCanceledException(cancel.Token);

        await Assert.ThrowsAsync<OperationCanceledException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), cancel.Token));

        Assert.Empty(avatars.Keys);
        Assert.False(avatars.LastDeleteToken.IsCancellationRequested);
    }

    [Fact]
    public async Task A_failed_upload_writes_no_user()
    {
        avatars.Failure = new StorageUnavailableException("s3 down");

        await Assert.ThrowsAsync<StorageUnavailableException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default));

        Assert.Empty(users.Stored);
        Assert.Equal(0, users.Attempts);
    }

    [Fact]
    public async Task A_failed_clean_up_does_not_hide_the_original_failure()
    {
        users.Failure = new StorageUnavailableException("dynamodb down");
        avatars.DeleteFailure = new StorageUnavailableException("s3 down too");

        var thrown = await Assert.ThrowsAsync<StorageUnavailableException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default));

        Assert.Equal("dynamodb down", thrown.Message);
    }

    [Fact]
    public async Task A_write_that_failed_after_landing_is_a_registration_and_keeps_its_avatar()
    {
        users.LandsBeforeFailure = true;
        users.Failure = new StorageUnavailableException("timed out after the commit") { OutcomeUnknown = true };

        var result = await Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default);

        var created = Assert.IsType<CreateUserResult.Created>(result);
        Assert.Equal(created.User, Assert.Single(users.Stored));
        Assert.Single(avatars.Keys);
    }

    [Fact]
    public async Task A_write_the_service_refused_removes_the_avatar_without_asking()
    {
        users.Failure = new StorageUnavailableException("table missing") { OutcomeUnknown = false };
        users.FindFailure = new InvalidOperationException("must not be asked");

        await Assert.ThrowsAsync<StorageUnavailableException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default));

        Assert.Empty(avatars.Keys);
    }

    [Fact]
    public async Task A_retried_write_refused_as_a_duplicate_of_itself_is_a_registration()
    {
        // First attempt committed, the retry met the condition: the repository reports "exists".
        users.LandsBeforeFailure = true;

        var result = await Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default);

        Assert.IsType<CreateUserResult.Created>(result);
        Assert.Single(avatars.Keys);
    }

    [Fact]
    public async Task When_the_outcome_of_a_failed_write_is_unknown_the_avatar_is_kept_and_the_failure_reported()
    {
        users.Failure = new StorageUnavailableException("dynamodb down") { OutcomeUnknown = true };
        users.FindFailure = new StorageUnavailableException("still down");

        await Assert.ThrowsAsync<StorageUnavailableException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default));

        Assert.Single(avatars.Keys);
        Assert.Empty(users.Stored);
        Assert.Equal(1, Reconciler.Pending);
    }

    [Fact]
    public async Task A_duplicate_whose_lookup_aws_refuses_is_that_refusal_not_a_409()
    {
        users.Stored.Add(new User("Ada", "ada@example.com", "mem://avatars/other.png"));
        var denied = new StorageUnavailableException("DynamoDB GetItem denied")
        {
            Denial = new StorageDenial("dynamodb:GetItem", "table/users", "arn:aws:sts::123456789012:assumed-role/users-api-irsa/s"),
        };
        users.FindFailure = denied;

        var thrown = await Assert.ThrowsAsync<StorageUnavailableException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ADA@example.com", Png), default));

        Assert.Same(denied, thrown);
        Assert.Equal(1, Reconciler.Pending); // the avatar kept: the reconciler tries again, a bounded number of times
    }

    [Fact]
    public async Task An_avatar_kept_for_an_unknown_outcome_is_removed_once_the_table_answers_that_the_user_is_not_there()
    {
        users.Failure = new StorageUnavailableException("dynamodb down") { OutcomeUnknown = true };
        users.FindFailure = new StorageUnavailableException("still down");
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default));

        users.FindFailure = null;
        clock.Advance(AvatarReconciler.SettleTime);
        Assert.Equal(1, await Reconciler.RunDueAsync(default));

        Assert.Empty(avatars.Keys);
        Assert.Equal(0, Reconciler.Pending);
    }

    [Fact]
    public async Task A_failed_clean_up_is_handed_to_the_reconciler()
    {
        users.Failure = new StorageUnavailableException("dynamodb down");
        avatars.DeleteFailure = new StorageUnavailableException("s3 down too");
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default));
        Assert.Single(avatars.Keys);

        avatars.DeleteFailure = null;
        clock.Advance(AvatarReconciler.FirstBackoff);
        await Reconciler.RunDueAsync(default);

        Assert.Empty(avatars.Keys);
        Assert.Equal(0, Reconciler.Pending);
    }

    [Fact]
    public async Task An_upload_whose_answer_was_lost_is_removed_later_and_no_user_is_written()
    {
        avatars.StoresBeforeFailure = true;
        avatars.Failure = new StorageUnavailableException("connection reset") { OutcomeUnknown = true };

        await Assert.ThrowsAsync<StorageUnavailableException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default));
        Assert.Equal(0, users.Attempts);
        Assert.Single(avatars.Keys);

        clock.Advance(AvatarReconciler.FirstBackoff);
        await Reconciler.RunDueAsync(default);
        Assert.Empty(avatars.Keys);
    }

    [Fact]
    public async Task An_upload_the_store_refused_leaves_nothing_to_reconcile()
    {
        avatars.Failure = new StorageUnavailableException("access denied") { OutcomeUnknown = false };

        await Assert.ThrowsAsync<StorageUnavailableException>(() => Handler.HandleAsync(new CreateUserCommand("Ada", "ada@example.com", Png), default));

        Assert.Equal(0, Reconciler.Pending);
    }
}
