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
        var readable = page.Users.Select(u => u with { AvatarUrl = avatars.ReadUrlFor(u.AvatarUrl) }).ToList();
        return page with { Users = readable };
    }
}
