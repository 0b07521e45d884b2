using Users.Core.Domain;

namespace Users.Core.Ports;

/// <summary>Where avatar images are kept. Implementations throw <see cref="StorageUnavailableException"/> when the store fails.</summary>
public interface IAvatarStore
{
    /// <summary>A new unique key for an image of this format (known before the upload, so a failed upload can be cleaned up).</summary>
    string NewKey(AvatarFormat format);

    /// <summary>Stores the image under <paramref name="key"/> (from <see cref="NewKey"/>).</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, AvatarFormat format, CancellationToken cancellationToken);

    /// <summary>Removes an image; removing one that is already gone succeeds.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>The URL recorded with the user for an image key.</summary>
    string StoredUrlFor(string key);

    /// <summary>The URL handed to readers for a stored URL (the stored URL itself, or a short-lived presigned one).</summary>
    string ReadUrlFor(string storedUrl);

    /// <summary>Checks that the store answers (for readiness).</summary>
    Task CheckAsync(CancellationToken cancellationToken);
}
