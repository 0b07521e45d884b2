using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Users.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Users.Api.Tests.Credentials;

/// <summary>What every credential test checks, on whichever artifact it runs.</summary>
internal static class CredentialsChecks
{
    internal static async Task CreateAndListAsync(ICredentialsHost host, CredentialsScenario scenario)
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
            $"/health/ready 200 on the {host.Artifact}");
        var email = Images.UniqueEmail("credentials");
        string avatarUrl;
        using (var form = Images.Form("Credentials Test", email, Images.Png))
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
    internal static async Task<string> AssertCredentialsFailureAsync(ICredentialsHost host, CredentialsScenario scenario, string source)
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

    internal static async Task AssertNoSecretLoggedAsync(ICredentialsHost host)
    {
        var logs = await host.LogsAsync();
        foreach (var secret in CredentialsScenario.Secrets)
        {
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }
}
