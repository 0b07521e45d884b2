using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Users.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Users.Api.Tests.Credentials;

/// <summary>
/// Every credential source the SDK's default chain offers, with no static keys in the environment, against one
/// artifact (<see cref="CredentialsHosts"/>: the process by default; scripts/test-image.sh and scripts/test-sam.sh run
/// this class again against the image and the Lambda bootstraps). Each source creates and lists a user; each way
/// credentials cannot be had is a 503 problem with Retry-After, /health/ready 503 and one log line naming the
/// source and the cause, with no secret in any log line.
/// </summary>
[Trait("Category", "Credentials")]
public sealed class CredentialSourceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Irsa_web_identity_through_sts_creates_and_lists_a_user()
    {
        using var scenario = (await CredentialsScenario.CreateAsync()).WithWebIdentity();
        await using var host = await CredentialsHosts.StartAsync(scenario);

        await CreateAndListAsync(host, scenario);
        await AssertNoSecretLoggedAsync(host);
    }

    [Fact]
    public async Task Pod_identity_agent_creates_lists_and_refreshes_before_expiry()
    {
        // AWSSDK.Core 4.1 treats credentials as expiring 1 minute early (ExpirationBuffer) and refreshes container
        // credentials in the background 15 minutes before that (PreemptExpiryTime): these are due 3 s after issue.
        var refreshWindow = TimeSpan.FromMinutes(16);
        await using var agent = new PodIdentityAgent(CredentialsScenario.PodIdentityToken, refreshWindow + TimeSpan.FromSeconds(3));
        using var scenario = (await CredentialsScenario.CreateAsync()).WithPodIdentity(agent.CredentialsUri);
        await using var host = await CredentialsHosts.StartAsync(scenario);

        await CreateAndListAsync(host, scenario);
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
        await CreateAndListAsync(host, scenario);
        output.WriteLine($"{CredentialsHosts.Artifact}: the agent served credentials {agent.Served} times, refused {agent.Refused}");
        await AssertNoSecretLoggedAsync(host);
    }

    [Fact]
    public async Task Assume_role_profile_with_source_profile_creates_and_lists_a_user()
    {
        using var scenario = (await CredentialsScenario.CreateAsync()).WithAssumeRoleProfile();
        await using var host = await CredentialsHosts.StartAsync(scenario);

        await CreateAndListAsync(host, scenario);
        await AssertNoSecretLoggedAsync(host);
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
        await using var host = await CredentialsHosts.StartAsync(scenario);

        await CreateAndListAsync(host, scenario);
        Assert.True(Volatile.Read(ref portalCalls) >= 1, "the SSO portal was never asked for role credentials");
        await AssertNoSecretLoggedAsync(host);
    }

    [Fact]
    public async Task Sso_profile_without_login_is_503_naming_sso()
    {
        using var scenario = (await CredentialsScenario.CreateAsync()).WithSsoProfile();
        await using var host = await CredentialsHosts.StartAsync(scenario);

        var line = await AssertCredentialsFailureAsync(host, scenario, "the default chain (AWS_PROFILE sso");
        Assert.True(line.Contains("aws sso login --profile sso", StringComparison.Ordinal), line);
        Assert.True(line.Contains("is an SSO profile", StringComparison.Ordinal), line);
        Assert.False(line.Contains("could not be found or loaded", StringComparison.Ordinal), line);
    }

    [Fact]
    public async Task Unreadable_web_identity_token_file_is_503_naming_irsa()
    {
        using var scenario = await CredentialsScenario.CreateAsync();
        scenario.WithWebIdentity(tokenFile: Path.Combine(scenario.Directory, "no-such-token"));
        await using var host = await CredentialsHosts.StartAsync(scenario);

        var line = await AssertCredentialsFailureAsync(host, scenario, "web identity (IRSA");
        Assert.True(line.Contains("no-such-token", StringComparison.Ordinal), line);
    }

    [Fact]
    public async Task Sts_refusing_the_web_identity_is_503_naming_irsa()
    {
        await using var sts = new LocalHttpServer(_ => (403, "text/xml", """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>i8a-refused</RequestId></ErrorResponse>
            """));
        using var scenario = (await CredentialsScenario.CreateAsync()).WithWebIdentity().With("AWS_ENDPOINT_URL_STS", sts.Address.ToString().TrimEnd('/'));
        await using var host = await CredentialsHosts.StartAsync(scenario);

        var line = await AssertCredentialsFailureAsync(host, scenario, "web identity (IRSA");
        Assert.True(line.Contains("Not authorized to perform sts:AssumeRoleWithWebIdentity", StringComparison.Ordinal), line);
    }

    [Fact]
    public async Task Pod_identity_agent_down_is_503_naming_the_container_endpoint()
    {
        var nobody = new Uri($"http://127.0.0.1:{MotoServer.FreePort()}/v1/credentials");
        using var scenario = (await CredentialsScenario.CreateAsync()).WithPodIdentity(nobody);
        await using var host = await CredentialsHosts.StartAsync(scenario);

        await AssertCredentialsFailureAsync(host, scenario, "the container credentials endpoint");
    }

    private static async Task CreateAndListAsync(ICredentialsHost host, CredentialsScenario scenario)
    {
        // Ready first, as an orchestrator waits: the probe is the first use of the credentials (on a loaded machine the
        // first STS call and its JIT can outlast one request's deadline).
        await Wait.Until(
            async () =>
            {
                using var ready = await host.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                return ready.StatusCode == HttpStatusCode.OK;
            },
            TimeSpan.FromSeconds(60),
            $"/health/ready 200 on the {CredentialsHosts.Artifact}");
        var email = Images.UniqueEmail("credentials");
        using (var form = Images.Form("Credentials Test", email, Images.Png))
        string avatarUrl;
        using (var created = await host.Client.PostAsync(new Uri("/user", UriKind.Relative), form))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST /user answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}\n{string.Join('\n', await host.LogsAsync())}");
            avatarUrl = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("avatar_url").GetString() ?? string.Empty;
        }

        var users = await host.Client.GetFromJsonAsync<JsonElement>(new Uri("/users", UriKind.Relative));
        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("email").GetString() == email);
        Assert.NotNull(await scenario.Storage.ItemAsync(email));
        Assert.Single(await scenario.Storage.ObjectKeysAsync(), k => k.StartsWith("avatars/", StringComparison.Ordinal) && avatarUrl.EndsWith(k, StringComparison.Ordinal));
    }

    /// <summary>POST /user and /health/ready are 503 with Retry-After; exactly one log line names the source and the cause.</summary>
    private static async Task<string> AssertCredentialsFailureAsync(ICredentialsHost host, CredentialsScenario scenario, string source)
    {
        using (var form = Images.Form("Credentials Test", Images.UniqueEmail("denied"), Images.Png))
        using (var response = await host.Client.PostAsync(new Uri("/user", UriKind.Relative), form))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.RetryAfter is not null, "no Retry-After on the 503");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using (var ready = await host.Client.GetAsync(new Uri("/health/ready", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        Assert.Empty(await scenario.Storage.ScanAsync());
        Assert.Empty(await scenario.Storage.ObjectKeysAsync());

        IReadOnlyList<string> named = [];
        await Wait.Until(
            async () =>
            {
                named = [.. (await host.LogsAsync()).Where(l => l.Contains("AWS credentials from", StringComparison.Ordinal))];
                return named.Count > 0;
            },
            TimeSpan.FromSeconds(10),
            "a log line naming the credential source");
        var logs = await host.LogsAsync();
        var line = Assert.Single(named);
        Assert.True(line.Contains($"AWS credentials from {source}", StringComparison.Ordinal), line);
        Assert.True(line.Contains("could not be obtained: ", StringComparison.Ordinal), line);
        Assert.DoesNotContain(logs, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
        await AssertNoSecretLoggedAsync(host);
        return line;
    }

    private static async Task AssertNoSecretLoggedAsync(ICredentialsHost host)
    {
        var logs = await host.LogsAsync();
        foreach (var secret in CredentialsScenario.Secrets)
        {
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }
}
