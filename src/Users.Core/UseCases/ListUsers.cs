using System.Runtime.CompilerServices;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Core.Telemetry;

namespace Users.Core.UseCases;

/// <summary>Lists users with the avatar URL readers should use (public or presigned, as configured).</summary>
public sealed class ListUsers(IUserRepository users, IAvatarStore avatars)
{
    public const int MaxLimit = 1000;

    public async Task<UserPage> HandleAsync(int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"The limit must be between 1 and {MaxLimit}.");
        }

        using var activity = UsersTelemetry.ActivitySource.StartActivity(nameof(ListUsers));
        var page = await users.ListAsync(limit, cursor, cancellationToken);
        var readable = page.Users.Select(Readable).ToList();
        return page with { Users = readable };
    }

    /// <summary>Every user, page by page as the store returns them, with readable avatar URLs.</summary>
    public async IAsyncEnumerable<IReadOnlyList<User>> StreamAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in users.ScanAllAsync(cancellationToken))
        {
            yield return page.Select(Readable).ToList();
        }
    }

    /// <summary>The cursor of a page that starts after <paramref name="user"/> (the next page of a listing cut short).</summary>
    public string CursorAfter(User user) => users.CursorAfter(user);

    private User Readable(User user) => user with { AvatarUrl = avatars.ReadUrlFor(user.AvatarUrl) };
}
