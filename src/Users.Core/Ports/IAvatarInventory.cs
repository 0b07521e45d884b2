using Users.Core.Domain;

namespace Users.Core.Ports;

/// <summary>
/// What the avatar store holds, for the sweep (<see cref="UseCases.AvatarSweep"/>). Implementations throw
/// <see cref="StorageUnavailableException"/> when the store fails.
/// </summary>
public interface IAvatarInventory
{
    /// <summary>
    /// Every stored avatar, one store page at a time as the store returns them (so memory does not grow with the
    /// bucket). A failure while enumerating is thrown by the enumerator, after the pages already yielded.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<StoredAvatar>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The key of the image a stored URL points to (<see cref="IAvatarStore.StoredUrlFor"/> reversed), or null when it names none.</summary>
    string? KeyOf(string storedUrl);
}
