using System.Diagnostics;
using System.Net;
using Amazon.Runtime;
using Users.Core.Telemetry;

namespace Users.Core.Adapters.Aws;

/// <summary>
/// One AWS call at the adapter boundary: a client span (<c>DynamoDB.PutItem</c>, with the OpenTelemetry
/// <c>rpc.*</c> attributes of the AWS SDK conventions), its duration and its outcome. The SDK's own HTTP
/// requests (retries included) are children of this span, traced by the HTTP client instrumentation.
/// </summary>
internal static class DependencyCall
{
    public const string Ok = "ok";
    public const string Throttled = "throttled";
    public const string Timeout = "timeout";
    public const string Unavailable = "unavailable";
    public const string Denied = "denied";
    public const string Error = "error";

    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "ThrottlingException", "Throttling", "ThrottledException", "RequestThrottled", "RequestThrottledException",
        "ProvisionedThroughputExceededException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown",
    };

    /// <summary>Runs <paramref name="call"/>; an exception <paramref name="isAnswer"/> accepts is the dependency's normal answer (outcome ok).</summary>
    public static async Task<T> RunAsync<T>(string dependency, string operation, string resource, Func<Task<T>> call, Func<Exception, bool>? isAnswer = null)
    {
        using var activity = UsersTelemetry.ActivitySource.StartActivity($"{dependency}.{operation}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "aws-api");
            activity.SetTag("rpc.service", dependency);
            activity.SetTag("rpc.method", operation);
            activity.SetTag(dependency == "S3" ? "aws.s3.bucket" : "aws.dynamodb.table_names", resource);
        }

        var started = Stopwatch.GetTimestamp();
        var outcome = Ok;
        try
        {
            return await call();
        }
        catch (Exception ex)
        {
            if (isAnswer is null || !isAnswer(ex))
            {
                outcome = Classify(ex);
                activity?.SetStatus(ActivityStatusCode.Error, outcome);
                activity?.SetTag("error.type", ex is AmazonServiceException { ErrorCode: { Length: > 0 } code } ? code : ex.GetType().Name);
            }

            throw;
        }
        finally
        {
            var tags = new TagList
            {
                { "dependency", dependency },
                { "operation", operation },
                { "outcome", outcome },
            };
            UsersTelemetry.DependencyDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
            UsersTelemetry.DependencyCalls.Add(1, tags);
            if (outcome == Denied)
            {
                UsersTelemetry.DependencyDenials.Add(1, new KeyValuePair<string, object?>("dependency", dependency), new KeyValuePair<string, object?>("operation", operation));
            }
        }
    }

    /// <summary>The outcome of a failed call: throttled, timeout, unavailable (5xx, connection), denied (authorization) or error (the rest).</summary>
    internal static string Classify(Exception exception) => exception switch
    {
        _ when StorageErrors.IsDenial(exception) => Denied,
        AmazonServiceException service when IsThrottling(service) => Throttled,
        OperationCanceledException or TimeoutException => Timeout,
        AmazonServiceException { InnerException: OperationCanceledException or TimeoutException } => Timeout,
        AmazonServiceException service when (int)service.StatusCode >= 500 => Unavailable,
        AmazonServiceException { StatusCode: 0, InnerException: HttpRequestException or IOException } => Unavailable,
        AmazonServiceException => Error,
        AmazonClientException or HttpRequestException or IOException => Unavailable,
        _ => Error,
    };

    private static bool IsThrottling(AmazonServiceException exception) =>
        exception.Retryable?.Throttling == true
        || exception.StatusCode == HttpStatusCode.TooManyRequests
        || (exception.ErrorCode is { } code && ThrottlingCodes.Contains(code));
}
