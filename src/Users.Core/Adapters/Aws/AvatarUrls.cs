namespace Users.Core.Adapters.Aws;

/// <summary>How an avatar key becomes the URL stored with a user, and back.</summary>
public static class AvatarUrls
{
    /// <summary>
    /// <c>AVATARS_PUBLIC_BASE_URL/key</c> when a public base is set (CDN, minikube); path-style
    /// <c>AWS_ENDPOINT_URL/bucket/key</c> against an emulator; otherwise the bucket's virtual-hosted AWS URL.
    /// </summary>
    public static string Stored(AwsStorageOptions options, string key)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PublicBaseUrl is not null)
        {
            return $"{TrimSlash(options.PublicBaseUrl)}/{key}";
        }

        if (options.ServiceUrl is not null)
        {
            return $"{TrimSlash(options.ServiceUrl)}/{options.BucketName}/{key}";
        }

        return $"https://{options.BucketName}.s3.{options.Region}.amazonaws.com/{key}";
    }

    /// <summary>The object key inside a stored URL (from its <c>avatars/</c> segment), or null when it has none.</summary>
    public static string? KeyOf(string storedUrl)
    {
        if (!Uri.TryCreate(storedUrl, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var path = uri.AbsolutePath;
        var at = path.LastIndexOf('/' + S3AvatarStore.KeyPrefix, StringComparison.Ordinal);
        if (at < 0 || at + 1 + S3AvatarStore.KeyPrefix.Length >= path.Length)
        {
            return null;
        }

        return Uri.UnescapeDataString(path[(at + 1)..]);
    }

    private static string TrimSlash(Uri uri) => uri.ToString().TrimEnd('/');
}
