using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Users.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Users.Api.Tests.Credentials;

/// <summary>
/// Every credential source the SDK's default chain offers, with no static keys in the environment, against one
/// artifact: a subclass says which (<see cref="CredentialSourceTests"/>: the process, or the Lambda bootstrap
/// scripts/test-sam.sh names; test/Users.Image.Tests: the image). Each source creates and lists a user, with no
/// secret in any log line; <see cref="CredentialFailureContract"/> covers credentials that cannot be had.
/// </summary>
public abstract class CredentialSourceContract(ITestOutputHelper output)
{
    /// <summary>Starts the artifact under test with the scenario's environment and nothing else of the machine's.</summary>
    protected abstract Task<ICredentialsHost> StartHostAsync(CredentialsScenario scenario);

    [Fact]
    public async Task Irsa_web_identity_through_sts_creates_and_lists_a_user()
    {
        using var scenario = (await CredentialsScenario.CreateAsync()).WithWebIdentity();
        await using var host = await StartHostAsync(scenario);

        await CredentialsChecks.CreateAndListAsync(host, scenario);
        await CredentialsChecks.AssertNoSecretLoggedAsync(host);
    }

    [Fact]
    public async Task Pod_identity_agent_creates_lists_and_refreshes_before_expiry()
    {
        // AWSSDK.Core 4.1 treats credentials as expiring 1 minute early (ExpirationBuffer) and refreshes container
        // credentials in the background 15 minutes before that (PreemptExpiryTime): these are due 3 s after issue.
        var refreshWindow = TimeSpan.FromMinutes(16);
        await using var agent = new PodIdentityAgent(CredentialsScenario.PodIdentityToken, refreshWindow + TimeSpan.FromSeconds(3));
        using var scenario = (await CredentialsScenario.CreateAsync()).WithPodIdentity(agent.CredentialsUri);
        await using var host = await StartHostAsync(scenario);

        await CredentialsChecks.CreateAndListAsync(host, scenario);
        var first = agent.Served;
        Assert.True(first >= 1, "the agent was never asked for credentials");
        var refreshDue = agent.LastExpiry - refreshWindow;

        // Keep using the API until the credentials served last enter the SDK's refresh window and it asks again.
        await Wait.Until(
            async () =>
            {
                using var response = await host.Client.GetAsync(new Uri("/users", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return agent.Served > first;
            },
            TimeSpan.FromSeconds(30),
            "the SDK to fetch fresh credentials from the agent");
        Assert.True(agent.FetchTimes[first] >= refreshDue, $"credentials were fetched again before they were due ({refreshDue:O}): {string.Join(", ", agent.FetchTimes.Select(t => t.ToString("O", CultureInfo.InvariantCulture)))}");
        Assert.Equal(0, agent.Refused);
        await CredentialsChecks.CreateAndListAsync(host, scenario);
        output.WriteLine($"{host.Artifact}: the agent served credentials {agent.Served} times, refused {agent.Refused}");
        await CredentialsChecks.AssertNoSecretLoggedAsync(host);
    }

    [Fact]
    public async Task Assume_role_profile_with_source_profile_creates_and_lists_a_user()
    {
        using var scenario = (await CredentialsScenario.CreateAsync()).WithAssumeRoleProfile();
        await using var host = await StartHostAsync(scenario);

        await CredentialsChecks.CreateAndListAsync(host, scenario);
        await CredentialsChecks.AssertNoSecretLoggedAsync(host);
    }

    [Fact]
    public async Task Sso_profile_after_sso_login_creates_and_lists_a_user()
    {
        var portalCalls = 0;
        await using var portal = new LocalHttpServer(request =>
        {
            if (request.Url?.AbsolutePath != "/federation/credentials" || request.Headers["x-amz-sso_bearer_token"] != CredentialsScenario.SsoAccessToken)
            {
                return (401, "application/json", """{"message":"Session token not found or invalid"}""");
            }

            Interlocked.Increment(ref portalCalls);
            var expiry = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
            return (200, "application/json", """{"roleCredentials":{"accessKeyId":"ASIASSOROLE0001","secretAccessKey":"sso-role-secret","sessionToken":"sso-role-session","expiration":""" + expiry.ToString(CultureInfo.InvariantCulture) + "}}");
        });
        using var scenario = (await CredentialsScenario.CreateAsync()).WithSsoProfile(portal.Address);
        await using var host = await StartHostAsync(scenario);

        await CredentialsChecks.CreateAndListAsync(host, scenario);
        Assert.True(Volatile.Read(ref portalCalls) >= 1, "the SSO portal was never asked for role credentials");
        await CredentialsChecks.AssertNoSecretLoggedAsync(host);
    }
}

/// <summary>The credential sources against the built app as a process, or the Lambda bootstrap in LAMBDA_TEST_FUNCTION.</summary>
[Trait("Category", "Credentials")]
public sealed class CredentialSourceTests(ITestOutputHelper output) : CredentialSourceContract(output)
{
    protected override Task<ICredentialsHost> StartHostAsync(CredentialsScenario scenario) => CredentialsHosts.StartAsync(scenario);
}
