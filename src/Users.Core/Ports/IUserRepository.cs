using Users.Core.Domain;

namespace Users.Core.Ports;

/// <summary>Where users are kept. Implementations throw <see cref="StorageUnavailableException"/> when the store fails.</summary>
public interface IUserRepository
{
    /// <summary>Stores the user unless one with the same e-mail exists; returns <c>false</c> in that case.</summary>
    Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken);

    /// <summary>
    /// Lists users. With no <paramref name="limit"/> every user is returned and the cursor is null; with one,
    /// at most that many, plus a cursor while more remain. Throws <see cref="InvalidCursorException"/> for a bad cursor.
    /// </summary>
    Task<UserPage> ListAsync(int? limit, string? cursor, CancellationToken cancellationToken);

    /// <summary>
    /// Every user (after <paramref name="after"/>, a cursor of <see cref="CursorAfter"/> or of a page, when given), one
    /// store page at a time as the store returns them, so memory does not grow with the table. Each page carries the
    /// cursor of the rest, null on the last page (which may be empty). A failure while enumerating is thrown by the
    /// enumerator, after the pages already yielded. Throws <see cref="InvalidCursorException"/> for a bad cursor.
    /// </summary>
    IAsyncEnumerable<UserPage> ScanAllAsync(string? after, CancellationToken cancellationToken);

    /// <summary>The cursor that continues a listing after <paramref name="user"/> (for <see cref="ListAsync"/>).</summary>
    string CursorAfter(User user);

    /// <summary>The user stored under this (normalised) e-mail, or null; a strongly consistent read.</summary>
    Task<User?> FindAsync(string email, CancellationToken cancellationToken);

    /// <summary>Checks that the store answers (for readiness).</summary>
    Task CheckAsync(CancellationToken cancellationToken);
}
