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

    /// <summary>
    /// Every user (after <paramref name="after"/>, a page's cursor, when given), page by page as the store returns them,
    /// with readable avatar URLs; each page carries the cursor of the rest, null on the last.
    /// </summary>
    public async IAsyncEnumerable<UserPage> StreamAllAsync(string? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in users.ScanAllAsync(after, cancellationToken))
        {
            yield return page with { Users = page.Users.Select(Readable).ToList() };
        }
    }

    /// <summary>The cursor of a page that starts after <paramref name="user"/> (the next page of a listing cut short).</summary>
    public string CursorAfter(User user) => users.CursorAfter(user);

    /// <summary>The user as readers get it: the same object when its stored URL is the one to read (public mode).</summary>
    private User Readable(User user)
    {
        var url = avatars.ReadUrlFor(user.AvatarUrl);
        return ReferenceEquals(url, user.AvatarUrl) ? user : user with { AvatarUrl = url };
    }
}
