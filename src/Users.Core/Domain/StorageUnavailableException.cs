namespace Users.Core.Domain;

/// <summary>
/// A storage dependency did not answer usefully (unreachable, timed out, throttled or refused) after the
/// client's own retries. Callers may retry later; the message is safe to log but not meant for clients.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Which dependency failed ("DynamoDB", "S3"), for logs.</summary>
    public string Dependency { get; init; } = "storage";

    /// <summary>
    /// True when the failed call may still have been applied (a timeout, a dropped connection, a 5xx): a write's
    /// outcome is then unknown. False when the service refused it (throttling, missing table, access denied).
    /// </summary>
    public bool OutcomeUnknown { get; init; }

    /// <summary>
    /// Set when AWS refused the call on authorization (access denied, an expired or unrecognised token): a permanent
    /// fault until the role's policy or the credentials are fixed, not a transient one. Null for every other failure.
    /// </summary>
    public StorageDenial? Denial { get; init; }
}

/// <summary>What AWS refused, to whom: the IAM action, the resource and the principal (the role's session), as AWS named them.</summary>
public sealed record StorageDenial(string Action, string Resource, string Principal);
