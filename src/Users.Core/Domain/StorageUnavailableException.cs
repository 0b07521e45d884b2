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
}
