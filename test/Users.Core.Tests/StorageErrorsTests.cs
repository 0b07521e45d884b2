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
        Assert.True(StorageErrors.Unavailable("DynamoDB", "PutItem", new TimeoutException()).OutcomeUnknown);
        Assert.True(StorageErrors.Unavailable("DynamoDB", "PutItem", new TaskCanceledException()).OutcomeUnknown);
        Assert.True(StorageErrors.Unavailable("DynamoDB", "PutItem", new HttpRequestException("reset")).OutcomeUnknown);
        Assert.True(StorageErrors.Unavailable("DynamoDB", "PutItem", new AmazonServiceException("boom") { StatusCode = System.Net.HttpStatusCode.InternalServerError }).OutcomeUnknown);
        Assert.False(StorageErrors.Unavailable("DynamoDB", "PutItem", new AmazonServiceException("throttled") { StatusCode = System.Net.HttpStatusCode.BadRequest }).OutcomeUnknown);
        Assert.False(StorageErrors.Unavailable("DynamoDB", "PutItem", new AmazonClientException("no credentials")).OutcomeUnknown);
    }

    [Fact]
    public void A_timeout_is_reported_as_timed_out()
    {
        var unavailable = StorageErrors.Unavailable("DynamoDB", "Scan", new TimeoutException("The operation was canceled."));
        Assert.Equal("DynamoDB Scan failed: timed out", unavailable.Message);
    }
}
