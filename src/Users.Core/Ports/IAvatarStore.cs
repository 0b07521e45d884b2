using Users.Core.Domain;

namespace Users.Core.Ports;

/// <summary>Where avatar images are kept. Implementations throw <see cref="StorageUnavailableException"/> when the store fails.</summary>
public interface IAvatarStore
{
    /// <summary>Stores the image under a new unique key and returns that key.</summary>
    Task<string> PutAsync(ReadOnlyMemory<byte> content, AvatarFormat format, CancellationToken cancellationToken);

    /// <summary>Removes an image; removing one that is already gone succeeds.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>The URL recorded with the user for an image key.</summary>
    string StoredUrlFor(string key);

    /// <summary>The URL handed to readers for a stored URL (the stored URL itself, or a short-lived presigned one).</summary>
    string ReadUrlFor(string storedUrl);

    /// <summary>Checks that the store answers (for readiness).</summary>
    Task CheckAsync(CancellationToken cancellationToken);
}
