using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Users.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Users.Api.Tests.Credentials;

/// <summary>
/// Each way credentials cannot be had, on one artifact (a subclass says which, as for <see cref="CredentialSourceContract"/>):
/// a 503 problem with Retry-After, /health/ready 503, exactly one log line naming the source and the cause, nothing
/// stored, no secret logged.
/// </summary>
public abstract class CredentialFailureContract
{
    /// <summary>Starts the artifact under test with the scenario's environment and nothing else of the machine's.</summary>
    protected abstract Task<ICredentialsHost> StartHostAsync(CredentialsScenario scenario);

    [Fact]
    public async Task Sso_profile_without_login_is_503_naming_sso()
    {
        using var scenario = (await CredentialsScenario.CreateAsync()).WithSsoProfile();
        await using var host = await StartHostAsync(scenario);

        var line = await CredentialsChecks.AssertCredentialsFailureAsync(host, scenario, "the default chain (AWS_PROFILE sso");
        Assert.True(line.Contains("aws sso login --profile sso", StringComparison.Ordinal), line);
        Assert.True(line.Contains("is an SSO profile", StringComparison.Ordinal), line);
        Assert.False(line.Contains("could not be found or loaded", StringComparison.Ordinal), line);
    }

    [Fact]
    public async Task Unreadable_web_identity_token_file_is_503_naming_irsa()
    {
        using var scenario = await CredentialsScenario.CreateAsync();
        scenario.WithWebIdentity(tokenFile: Path.Combine(scenario.Directory, "no-such-token"));
        await using var host = await StartHostAsync(scenario);

        var line = await CredentialsChecks.AssertCredentialsFailureAsync(host, scenario, "web identity (IRSA");
        Assert.True(line.Contains("no-such-token", StringComparison.Ordinal), line);
    }

    [Fact]
    public async Task Sts_refusing_the_web_identity_is_503_naming_irsa()
    {
        await using var sts = new LocalHttpServer(_ => (403, "text/xml", """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>i8a-refused</RequestId></ErrorResponse>
            """));
        using var scenario = (await CredentialsScenario.CreateAsync()).WithWebIdentity().With("AWS_ENDPOINT_URL_STS", sts.Address.ToString().TrimEnd('/'));
        await using var host = await StartHostAsync(scenario);

        var line = await CredentialsChecks.AssertCredentialsFailureAsync(host, scenario, "web identity (IRSA");
        Assert.True(line.Contains("Not authorized to perform sts:AssumeRoleWithWebIdentity", StringComparison.Ordinal), line);
    }

    [Fact]
    public async Task Pod_identity_agent_down_is_503_naming_the_container_endpoint()
    {
        var nobody = new Uri($"http://127.0.0.1:{MotoServer.FreePort()}/v1/credentials");
        using var scenario = (await CredentialsScenario.CreateAsync()).WithPodIdentity(nobody);
        await using var host = await StartHostAsync(scenario);

        await CredentialsChecks.AssertCredentialsFailureAsync(host, scenario, "the container credentials endpoint");
    }
}

/// <summary>The credential failures against the built app as a process, or the Lambda bootstrap in LAMBDA_TEST_FUNCTION.</summary>
[Trait("Category", "Credentials")]
public sealed class CredentialFailureTests : CredentialFailureContract
{
    protected override Task<ICredentialsHost> StartHostAsync(CredentialsScenario scenario) => CredentialsHosts.StartAsync(scenario);
}
