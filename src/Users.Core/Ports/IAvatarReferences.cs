namespace Users.Core.Ports;

/// <summary>
/// Which avatars the stored users point to, for the sweep (<see cref="UseCases.AvatarSweep"/>). Implementations throw
/// <see cref="Domain.StorageUnavailableException"/> when the store fails.
/// </summary>
public interface IAvatarReferences
{
    /// <summary>
    /// The stored avatar URL of every user, one store page at a time, each page read with strong consistency (a user
    /// whose write was acknowledged before the page was read is in it). A failure while enumerating is thrown by the
    /// enumerator, after the pages already yielded.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<string>> ScanAvatarUrlsAsync(CancellationToken cancellationToken);
}
