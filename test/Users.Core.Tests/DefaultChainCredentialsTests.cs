using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Users.Core.Adapters.Aws;

namespace Users.Core.Tests;

/// <summary>
/// The SDK's default chain as the clients use it, pointed at a shared credentials file of the test's own (through the
/// client config's profile, not the process environment): what it resolves, and how each failure is named.
/// </summary>
public sealed class DefaultChainCredentialsTests : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("users-credentials-");
    private readonly string file;

    public DefaultChainCredentialsTests()
    {
        file = Path.Combine(directory.FullName, "credentials");
        File.WriteAllText(file, $"""
            [static]
            aws_access_key_id = AKIASTATICEXAMPLE
            aws_secret_access_key = static-secret

            [irsa]
            role_arn = arn:aws:iam::123456789012:role/users-api
            web_identity_token_file = {Path.Combine(directory.FullName, "no-such-token")}

            [process]
            credential_process = {Path.Combine(directory.FullName, "no-such-helper")}
            """);
    }

    [Fact]
    public async Task A_profile_with_static_keys_resolves_to_them_without_an_expiry()
    {
        var credentials = Credentials("static");

        var sync = credentials.GetCredentials();
        var async = await credentials.GetCredentialsAsync();

        Assert.Equal(("AKIASTATICEXAMPLE", "static-secret"), (sync.AccessKey, sync.SecretKey));
        Assert.Equal("AKIASTATICEXAMPLE", async.AccessKey);
        Assert.Null(credentials.Expiration);
    }

    [Fact]
    public async Task A_web_identity_profile_whose_token_cannot_be_read_is_named_as_irsa()
    {
        var credentials = Credentials("irsa");

        var sync = Assert.Throws<CredentialsUnavailableException>(() => credentials.GetCredentials());
        var async = await Assert.ThrowsAsync<CredentialsUnavailableException>(credentials.GetCredentialsAsync);

        Assert.All(new[] { sync, async }, error =>
        {
            Assert.StartsWith("AWS credentials from web identity (IRSA: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE) could not be obtained: ", error.Message, StringComparison.Ordinal);
            Assert.Contains("no-such-token", error.Message, StringComparison.Ordinal);
            Assert.NotNull(error.InnerException);
        });
    }

    [Fact]
    public async Task A_credential_process_that_cannot_run_is_named_as_such()
    {
        var credentials = Credentials("process");

        var sync = Assert.Throws<CredentialsUnavailableException>(() => credentials.GetCredentials());
        var async = await Assert.ThrowsAsync<CredentialsUnavailableException>(credentials.GetCredentialsAsync);

        Assert.StartsWith("AWS credentials from a credential_process profile could not be obtained: ", sync.Message, StringComparison.Ordinal);
        Assert.StartsWith("AWS credentials from a credential_process profile could not be obtained: ", async.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_that_does_not_exist_is_named_with_the_chain_that_found_no_source()
    {
        var credentials = Credentials("nobody");

        var sync = Assert.Throws<CredentialsUnavailableException>(() => credentials.GetCredentials());
        var async = await Assert.ThrowsAsync<CredentialsUnavailableException>(credentials.GetCredentialsAsync);

        Assert.StartsWith("AWS credentials from the default chain (AWS_PROFILE nobody) could not be obtained: ", sync.Message, StringComparison.Ordinal);
        Assert.StartsWith("AWS credentials from the default chain (AWS_PROFILE nobody) could not be obtained: ", async.Message, StringComparison.Ordinal);
        Assert.Null(credentials.Expiration);
    }

    public void Dispose() => directory.Delete(recursive: true);

    private DefaultChainCredentials Credentials(string profile) =>
        new(new AmazonDynamoDBConfig { Profile = new Amazon.Profile(profile, file), RegionEndpoint = Amazon.RegionEndpoint.USEast1 });
}
