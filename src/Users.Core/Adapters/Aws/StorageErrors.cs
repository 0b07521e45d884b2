using System.Net;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Users.Core.Domain;

namespace Users.Core.Adapters.Aws;

/// <summary>Turns what the SDK throws into the domain's <see cref="StorageUnavailableException"/>, so no AWS type leaves the adapters.</summary>
internal static partial class StorageErrors
{
    /// <summary>The error codes of an authorization failure: refused by a policy, or credentials AWS does not accept.</summary>
    private static readonly HashSet<string> DenialCodes = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "Forbidden", "UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId",
        "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "InvalidToken", "SignatureDoesNotMatch",
    };

    /// <summary>True when AWS refused the call on authorization (HTTP 403, or one of <see cref="DenialCodes"/>).</summary>
    public static bool IsDenial(Exception exception) =>
        exception is AmazonServiceException service
        && (service.StatusCode == HttpStatusCode.Forbidden || (service.ErrorCode is { } code && DenialCodes.Contains(code)));

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

    /// <param name="dependency">DynamoDB or S3.</param>
    /// <param name="operation">The API operation (GetItem, HeadBucket...).</param>
    /// <param name="exception">What the SDK threw.</param>
    /// <param name="resource">What the call was on (table/users, arn:aws:s3:::bucket/key): named in a denial when AWS's message does not.</param>
    public static StorageUnavailableException Unavailable(string dependency, string operation, Exception exception, string resource)
    {
        if (IsDenial(exception))
        {
            var denial = DenialOf(dependency, operation, (AmazonServiceException)exception, resource);
            return new StorageUnavailableException(
                $"{dependency} {operation} denied: {denial.Action} on {denial.Resource} refused to {denial.Principal} ({((AmazonServiceException)exception).ErrorCode ?? "403"})", exception)
            {
                Dependency = dependency,
                Denial = denial,
            };
        }

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

    /// <summary>
    /// The action, resource and principal of a denial, from AWS's message ("User: arn:… is not authorized to perform:
    /// dynamodb:GetItem on resource: arn:…"), else from the call itself; the principal then from AWS_ROLE_ARN (IRSA).
    /// </summary>
    private static StorageDenial DenialOf(string dependency, string operation, AmazonServiceException exception, string resource)
    {
        var match = NotAuthorized().Match(exception.Message ?? string.Empty);
        var action = match.Success ? match.Groups["action"].Value : IamAction(dependency, operation);
        var target = match.Groups["resource"].Success ? match.Groups["resource"].Value : resource;
        var principal = match.Success ? match.Groups["principal"].Value
            : Environment.GetEnvironmentVariable("AWS_ROLE_ARN") is { Length: > 0 } role ? role
            : "this service's AWS identity (not named in the error)";
        return new StorageDenial(action, target, principal);
    }

    /// <summary>The IAM action an operation needs (HeadBucket and ListObjectsV2 are authorised by s3:ListBucket).</summary>
    internal static string IamAction(string dependency, string operation) => (dependency, operation) switch
    {
        ("S3", "HeadBucket" or "ListObjectsV2") => "s3:ListBucket",
        ("S3", _) => $"s3:{operation}",
        _ => $"dynamodb:{operation}",
    };

    [GeneratedRegex(@"User: (?<principal>\S+) is not authorized to perform: (?<action>[A-Za-z0-9-]+:[A-Za-z0-9]+)(?: on resource: (?<resource>[^\s,]+))?")]
    private static partial Regex NotAuthorized();
}
