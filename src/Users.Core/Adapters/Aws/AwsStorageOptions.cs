namespace Users.Core.Adapters.Aws;

/// <summary>How avatar URLs are handed to readers.</summary>
public enum AvatarUrlMode
{
    /// <summary>The stored URL as is (public bucket, CDN or emulator).</summary>
    Public,

    /// <summary>A short-lived presigned GET URL, for a private bucket. The stored value does not change.</summary>
    Presigned,
}

/// <summary>Where and how users and avatars are stored. Bound from the environment by the host and validated at start.</summary>
public sealed class AwsStorageOptions
{
    /// <summary>DynamoDB table name (<c>USERS_TABLE_NAME</c>).</summary>
    public string TableName { get; set; } = "users";

    /// <summary>S3 bucket for avatars (<c>AVATARS_BUCKET_NAME</c>).</summary>
    public string BucketName { get; set; } = "users-avatars";

    /// <summary>AWS region (<c>AWS_REGION</c>).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>A single endpoint for every AWS service, e.g. LocalStack or moto (<c>AWS_ENDPOINT_URL</c>). S3 is then path-style.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Base URL under which avatar keys are publicly served, e.g. a CDN (<c>AVATARS_PUBLIC_BASE_URL</c>).</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>Stored or presigned URLs for readers (<c>AVATAR_URL_MODE</c>).</summary>
    public AvatarUrlMode UrlMode { get; set; } = AvatarUrlMode.Public;

    /// <summary>How long a presigned avatar URL stays valid.</summary>
    public TimeSpan PresignedUrlLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Items per DynamoDB Scan call (<c>SCAN_PAGE_SIZE</c>, default 1,000, ≈150 KB); null lets DynamoDB fill its 1 MB
    /// pages. The SDK holds a whole response page in memory while it is read: with 1 MB pages, listing 100,000 users
    /// raised the peak RSS of the Native AOT build from 67 to 157 MB; with 1,000 items it stayed at 79 MB, for the same
    /// CPU per listed user and the same read units (docs/performance.md).
    /// </summary>
    public int? ScanPageSize { get; set; } = 1000;

    /// <summary>Time allowed for one attempt of one AWS call.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Retries after a failed attempt (the SDK's standard retry mode, with back-off).</summary>
    public int MaxRetries { get; set; } = 2;
}
