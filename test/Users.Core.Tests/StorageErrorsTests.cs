using Amazon.Runtime;
using Users.Core.Adapters.Aws;

namespace Users.Core.Tests;

public class StorageErrorsTests
{
    public static TheoryData<Exception> DependencyFailures => new()
    {
        new AmazonServiceException("throttled"),
        new AmazonClientException("no credentials"),
        new HttpRequestException("refused"),
        new IOException("reset"),
        new TimeoutException("The operation was canceled."),
        new TaskCanceledException("attempt timed out"),
    };

    [Theory]
    [MemberData(nameof(DependencyFailures))]
    public void Failures_of_the_dependency_are_recognised(Exception exception) =>
        Assert.True(StorageErrors.IsDependencyFailure(exception, CancellationToken.None));

    [Fact]
    public void A_cancellation_the_caller_asked_for_and_a_bug_are_not()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.False(StorageErrors.IsDependencyFailure(new OperationCanceledException(cancelled.Token), cancelled.Token));
        Assert.False(StorageErrors.IsDependencyFailure(new InvalidOperationException("bug"), CancellationToken.None));
    }

    [Fact]
    public void Only_failures_that_may_have_been_applied_leave_the_outcome_unknown()
    {
        Assert.True(StorageErrors.Unavailable("DynamoDB", "PutItem", new TimeoutException(), "table/users").OutcomeUnknown);
        Assert.True(StorageErrors.Unavailable("DynamoDB", "PutItem", new TaskCanceledException(), "table/users").OutcomeUnknown);
        Assert.True(StorageErrors.Unavailable("DynamoDB", "PutItem", new HttpRequestException("reset"), "table/users").OutcomeUnknown);
        Assert.True(StorageErrors.Unavailable("DynamoDB", "PutItem", new AmazonServiceException("boom") { StatusCode = System.Net.HttpStatusCode.InternalServerError }, "table/users").OutcomeUnknown);
        Assert.False(StorageErrors.Unavailable("DynamoDB", "PutItem", new AmazonServiceException("throttled") { StatusCode = System.Net.HttpStatusCode.BadRequest }, "table/users").OutcomeUnknown);
        Assert.False(StorageErrors.Unavailable("DynamoDB", "PutItem", new AmazonClientException("no credentials"), "table/users").OutcomeUnknown);
    }

    [Fact]
    public void A_timeout_is_reported_as_timed_out()
    {
        var unavailable = StorageErrors.Unavailable("DynamoDB", "Scan", new TimeoutException("The operation was canceled."), "table/users");
        Assert.Equal("DynamoDB Scan failed: timed out", unavailable.Message);
    }

    public static TheoryData<AmazonServiceException> Denials => new()
    {
        new AmazonServiceException("Access Denied") { ErrorCode = "AccessDenied", StatusCode = System.Net.HttpStatusCode.Forbidden },
        new AmazonServiceException("Forbidden") { StatusCode = System.Net.HttpStatusCode.Forbidden },
        new AmazonServiceException("The security token included in the request is expired") { ErrorCode = "ExpiredTokenException", StatusCode = System.Net.HttpStatusCode.BadRequest },
        new AmazonServiceException("The security token included in the request is invalid.") { ErrorCode = "UnrecognizedClientException", StatusCode = System.Net.HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(Denials))]
    public void Authorization_failures_are_denials_with_a_definite_outcome(AmazonServiceException exception)
    {
        var unavailable = StorageErrors.Unavailable("S3", "HeadBucket", exception, "arn:aws:s3:::avatars");
        Assert.NotNull(unavailable.Denial);
        Assert.False(unavailable.OutcomeUnknown);
        Assert.Equal(("s3:ListBucket", "arn:aws:s3:::avatars"), (unavailable.Denial.Action, unavailable.Denial.Resource));
    }

    [Fact]
    public void A_denial_names_what_aws_named()
    {
        var exception = new AmazonServiceException(
            "User: arn:aws:sts::123456789012:assumed-role/users-api-irsa/botocore-session-1 is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/users because no identity-based policy allows the dynamodb:GetItem action")
        {
            ErrorCode = "AccessDeniedException",
            StatusCode = System.Net.HttpStatusCode.BadRequest,
        };

        var denial = StorageErrors.Unavailable("DynamoDB", "GetItem", exception, "table/users").Denial;

        Assert.Equal(
            new Domain.StorageDenial("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/users", "arn:aws:sts::123456789012:assumed-role/users-api-irsa/botocore-session-1"),
            denial);
    }

    [Fact]
    public void Throttling_and_a_missing_table_are_not_denials() =>
        Assert.All(
            new[]
            {
                new AmazonServiceException("Rate exceeded") { ErrorCode = "ThrottlingException", StatusCode = System.Net.HttpStatusCode.BadRequest },
                new AmazonServiceException("Requested resource not found") { ErrorCode = "ResourceNotFoundException", StatusCode = System.Net.HttpStatusCode.BadRequest },
            },
            e => Assert.Null(StorageErrors.Unavailable("DynamoDB", "PutItem", e, "table/users").Denial));
}
