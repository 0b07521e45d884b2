using Amazon.Runtime;
using Users.Core.Domain;

namespace Users.Core.Adapters.Aws;

/// <summary>Turns what the SDK throws into the domain's <see cref="StorageUnavailableException"/>, so no AWS type leaves the adapters.</summary>
internal static class StorageErrors
{
    /// <summary>
    /// True for failures of the dependency: service errors (throttling, missing table or bucket, access denied),
    /// client errors (connection refused, DNS, credentials) and timeouts. A cancellation the caller asked for is not one.
    /// </summary>
    public static bool IsDependencyFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        // TimeoutException: the SDK's own per-attempt timeout (found by the overload scenario of docs/reliability.md).
        AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException => true,
        _ => false,
    };

    public static StorageUnavailableException Unavailable(string dependency, string operation, Exception exception)
    {
        var reason = exception switch
        {
            AmazonServiceException service => $"{service.ErrorCode ?? service.StatusCode.ToString()}: {service.Message}",
            OperationCanceledException or TimeoutException => "timed out",
            _ => exception.Message,
        };
        var outcomeUnknown = exception switch
        {
            AmazonServiceException service => (int)service.StatusCode >= 500,
            _ => exception is OperationCanceledException or TimeoutException or IOException or HttpRequestException
                || exception.InnerException is IOException or HttpRequestException or TimeoutException,
        };
        return new StorageUnavailableException($"{dependency} {operation} failed: {reason}", exception) { Dependency = dependency, OutcomeUnknown = outcomeUnknown };
    }
}
