using Microsoft.Extensions.Logging.Abstractions;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Core.UseCases;

namespace Users.Core.Tests;

/// <summary>The registration's ordering and clean-up logic, with in-memory ports (the real stores are covered by the API tests).</summary>
public class CreateUserTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    private readonly FakeUsers users = new();
    private readonly FakeAvatars avatars = new();

    private CreateUser Handler => new(users, avatars, NullLogger<CreateUser>.Instance);

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
    }

    private sealed class FakeUsers : IUserRepository
    {
        public List<User> Stored { get; } = [];

        public Exception? Failure { get; set; }

        public Action? OnCreate { get; set; }

        public int Attempts { get; private set; }

        /// <summary>The write is applied, then the call fails anyway (a timeout after DynamoDB committed).</summary>
        public bool LandsBeforeFailure { get; set; }

        public Exception? FindFailure { get; set; }

        public Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken)
        {
            Attempts++;
            OnCreate?.Invoke();
            if (LandsBeforeFailure && Stored.All(u => u.Email != user.Email))
            {
                Stored.Add(user);
            }

            if (Failure is not null)
            {
                throw Failure;
            }

            if (Stored.Any(u => u.Email == user.Email))
            {
                return Task.FromResult(false);
            }

            Stored.Add(user);
            return Task.FromResult(true);
        }

        public Task<UserPage> ListAsync(int? limit, string? cursor, CancellationToken cancellationToken) => Task.FromResult(new UserPage(Stored, null));

        public Task<User?> FindAsync(string email, CancellationToken cancellationToken) =>
            FindFailure is not null ? Task.FromException<User?>(FindFailure) : Task.FromResult(Stored.FirstOrDefault(u => u.Email == email));

        public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class FakeAvatars : IAvatarStore
    {
        public List<string> Keys { get; } = [];

        public int Puts { get; private set; }

        public Exception? Failure { get; set; }

        public Exception? DeleteFailure { get; set; }

        public CancellationToken LastDeleteToken { get; private set; }

        public Task<string> PutAsync(ReadOnlyMemory<byte> content, AvatarFormat format, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            var key = $"avatars/{++Puts}.{format.Extension}";
            Keys.Add(key);
            return Task.FromResult(key);
        }

        public Task DeleteAsync(string key, CancellationToken cancellationToken)
        {
            LastDeleteToken = cancellationToken;
            if (DeleteFailure is not null)
            {
                throw DeleteFailure;
            }

            Keys.Remove(key);
            return Task.CompletedTask;
        }

        public string StoredUrlFor(string key) => $"mem://{key}";

        public string ReadUrlFor(string storedUrl) => storedUrl;

        public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
