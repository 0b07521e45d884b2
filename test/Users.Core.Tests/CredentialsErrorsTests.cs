using Amazon.Runtime;
using Users.Core.Adapters.Aws;

namespace Users.Core.Tests;

public class CredentialsErrorsTests
{
    [Fact]
    public void Failure_names_the_source_and_every_distinct_cause_outermost_first()
    {
        var cause = new AmazonClientException("Error calling AssumeRoleWithWebIdentity", new FileNotFoundException("Could not find file '/var/run/token'"));

        var error = CredentialsUnavailableException.From("web identity (IRSA)", cause);

        Assert.Equal("AWS credentials from web identity (IRSA) could not be obtained: Error calling AssumeRoleWithWebIdentity; caused by: Could not find file '/var/run/token'", error.Message);
        Assert.Same(cause, error.InnerException);
    }

    [Fact]
    public void Failure_is_a_client_error_so_it_is_a_dependency_failure_not_a_bug()
    {
        var error = CredentialsUnavailableException.From("an SSO profile", new InvalidOperationException("no token"));

        Assert.IsAssignableFrom<AmazonClientException>(error);
        Assert.True(StorageErrors.IsDependencyFailure(error, CancellationToken.None));
        Assert.Contains("an SSO profile", StorageErrors.Unavailable("S3", "PutObject", error, "arn:aws:s3:::avatars/avatars/x.png").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_and_multi_line_causes_are_kept_once_on_one_line()
    {
        var error = CredentialsUnavailableException.From("x", new AmazonClientException("Failed:\nline two", new AmazonClientException("line two")));

        Assert.Equal("AWS credentials from x could not be obtained: Failed: line two", error.Message);
    }

    [Fact]
    public void Sources_are_named_as_operators_know_them()
    {
        Assert.Equal("static keys from a profile", DefaultChainCredentials.Describe(new BasicAWSCredentials("AKIAEXAMPLE", "secret")));
        Assert.Equal("static keys from a profile", DefaultChainCredentials.Describe(new SessionAWSCredentials("AKIAEXAMPLE", "secret", "token")));
        Assert.Equal(nameof(AnonymousAWSCredentials), DefaultChainCredentials.Describe(new AnonymousAWSCredentials()));
    }
}
