using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Users.Core.Domain;
using Users.Core.Ports;

namespace Users.Core.Adapters.Aws;

/// <summary>Avatars in an S3 bucket under <c>avatars/&lt;random id&gt;.&lt;ext&gt;</c>, typed by the detected format.</summary>
public sealed class S3AvatarStore(IAmazonS3 s3, AwsStorageOptions options, TimeProvider clock) : IAvatarStore, IAvatarInventory
{
    internal const string KeyPrefix = "avatars/";
    private const string Dependency = "S3";

    public string NewKey(AvatarFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return $"{KeyPrefix}{Guid.NewGuid():N}.{format.Extension}";
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, AvatarFormat format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(format);
        using var body = AsStream(content);
        var request = new PutObjectRequest
        {
            BucketName = options.BucketName,
            Key = key,
            InputStream = body,
            ContentType = format.ContentType,
            AutoCloseStream = false,
        };

        try
        {
            await DependencyCall.RunAsync(Dependency, "PutObject", options.BucketName, () => s3.PutObjectAsync(request, cancellationToken));
        }
        catch (Exception ex) when (StorageErrors.IsDependencyFailure(ex, cancellationToken))
        {
            throw StorageErrors.Unavailable(Dependency, "PutObject", ex, ObjectArn(key));
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await DependencyCall.RunAsync(
                Dependency, "DeleteObject", options.BucketName, () => s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = options.BucketName, Key = key }, cancellationToken));
        }
        catch (Exception ex) when (StorageErrors.IsDependencyFailure(ex, cancellationToken))
        {
            throw StorageErrors.Unavailable(Dependency, "DeleteObject", ex, ObjectArn(key));
        }
    }

    public async IAsyncEnumerable<IReadOnlyList<StoredAvatar>> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            // Up to 1,000 keys a page (S3's maximum), only under the avatars' prefix.
            var request = new ListObjectsV2Request { BucketName = options.BucketName, Prefix = KeyPrefix, ContinuationToken = token, MaxKeys = 1000 };
            ListObjectsV2Response response;
            try
            {
                response = await DependencyCall.RunAsync(Dependency, "ListObjectsV2", options.BucketName, () => s3.ListObjectsV2Async(request, cancellationToken));
            }
            catch (Exception ex) when (StorageErrors.IsDependencyFailure(ex, cancellationToken))
            {
                throw StorageErrors.Unavailable(Dependency, "ListObjectsV2", ex, $"arn:aws:s3:::{options.BucketName}");
            }

            token = response.IsTruncated == true ? response.NextContinuationToken : null;
            if (response.S3Objects is { Count: > 0 } objects)
            {
                yield return objects.ConvertAll(o => new StoredAvatar(o.Key, o.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MaxValue));
            }
        }
        while (token is not null);
    }

    public string? KeyOf(string storedUrl) => AvatarUrls.KeyOf(storedUrl);

    public string StoredUrlFor(string key) => AvatarUrls.Stored(options, key);

    public string ReadUrlFor(string storedUrl)
    {
        if (options.UrlMode != AvatarUrlMode.Presigned || AvatarUrls.KeyOf(storedUrl) is not { } key)
        {
            return storedUrl;
        }

        var request = new GetPreSignedUrlRequest
        {
            BucketName = options.BucketName,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = clock.GetUtcNow().Add(options.PresignedUrlLifetime).UtcDateTime,
            // The SDK presigns https unless told otherwise; an emulator endpoint may be plain http.
            Protocol = options.ServiceUrl?.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS,
        };
        return s3.GetPreSignedURL(request);
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DependencyCall.RunAsync(
                Dependency, "HeadBucket", options.BucketName, () => s3.HeadBucketAsync(new HeadBucketRequest { BucketName = options.BucketName }, cancellationToken));
        }
        catch (Exception ex) when (StorageErrors.IsDependencyFailure(ex, cancellationToken))
        {
            throw StorageErrors.Unavailable(Dependency, "HeadBucket", ex, $"arn:aws:s3:::{options.BucketName}");
        }
    }

    private string ObjectArn(string key) => $"arn:aws:s3:::{options.BucketName}/{key}";

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
}
