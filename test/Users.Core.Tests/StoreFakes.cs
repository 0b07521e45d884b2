using System.Runtime.CompilerServices;
using Users.Core.Domain;
using Users.Core.Ports;

namespace Users.Core.Tests;

/// <summary>An in-memory user table with switchable failures, for the use-case tests.</summary>
internal sealed class FakeUsers : IUserRepository
{
    public List<User> Stored { get; } = [];

    public Exception? Failure { get; set; }

    public Action? OnCreate { get; set; }

    public int Attempts { get; private set; }

    /// <summary>The write is applied, then the call fails anyway (a timeout after DynamoDB committed).</summary>
    public bool LandsBeforeFailure { get; set; }

    public Exception? FindFailure { get; set; }

    public int Finds { get; private set; }

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

    public async IAsyncEnumerable<UserPage> ScanAllAsync(string? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        yield return new UserPage([.. Stored], null);
    }

    public string CursorAfter(User user) => user.Email;

    public Task<User?> FindAsync(string email, CancellationToken cancellationToken)
    {
        Finds++;
        return FindFailure is not null ? Task.FromException<User?>(FindFailure) : Task.FromResult(Stored.FirstOrDefault(u => u.Email == email));
    }

    public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>An in-memory avatar store with switchable failures.</summary>
internal sealed class FakeAvatars : IAvatarStore
{
    public List<string> Keys { get; } = [];

    public int Puts { get; private set; }

    public int Deletes { get; private set; }

    public Exception? Failure { get; set; }

    /// <summary>The upload is stored, then the call fails anyway (its answer was lost).</summary>
    public bool StoresBeforeFailure { get; set; }

    public Exception? DeleteFailure { get; set; }

    public CancellationToken LastDeleteToken { get; private set; }

    public string NewKey(AvatarFormat format) => $"avatars/{Puts + 1}.{format.Extension}";

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, AvatarFormat format, CancellationToken cancellationToken)
    {
        Puts++;
        if (Failure is null || StoresBeforeFailure)
        {
            Keys.Add(key);
        }

        return Failure is null ? Task.CompletedTask : Task.FromException(Failure);
    }

    /// <summary>Awaited at the start of every removal (to hold one in flight).</summary>
    public Func<Task>? BeforeDelete { get; set; }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        LastDeleteToken = cancellationToken;
        Deletes++;
        if (BeforeDelete is not null)
        {
            await BeforeDelete();
        }

        if (DeleteFailure is not null)
        {
            throw DeleteFailure;
        }

        Keys.Remove(key);
    }

    public string StoredUrlFor(string key) => $"mem://{key}";

    public string ReadUrlFor(string storedUrl) => storedUrl;

    public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
