using System.Diagnostics;
using System.Globalization;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Credentials;

/// <summary>One artifact of the service, started with a scenario's environment and nothing else of the machine's.</summary>
public interface ICredentialsHost : IAsyncDisposable
{
    HttpClient Client { get; }

    /// <summary>What runs, for messages ("process", "image users-api:local", …).</summary>
    string Artifact { get; }

    /// <summary>Everything the service printed so far.</summary>
    Task<IReadOnlyList<string>> LogsAsync();
}

/// <summary>
/// Which artifact <see cref="CredentialSourceTests"/> and <see cref="CredentialFailureTests"/> drive: the built app as a
/// process (default, what `dotnet run` and `make run` start), or a Lambda bootstrap through the Lambda emulator when
/// LAMBDA_TEST_FUNCTION is set (scripts/test-sam.sh, ReadyToRun and Native AOT). The image has its own subclasses
/// (test/Users.Image.Tests).
/// </summary>
public static class CredentialsHosts
{
    public static async Task<ICredentialsHost> StartAsync(CredentialsScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (Environment.GetEnvironmentVariable("LAMBDA_TEST_FUNCTION") is { Length: > 0 })
        {
            return new LambdaHost(await LambdaApi.StartAsync(scenario.Settings));
        }

        var process = AppProcess.Start(scenario.Settings);
        var host = new ProcessHost(process);
        try
        {
            await WaitUntilLiveAsync(host.Client, host.Artifact, () => process.HasExited ? $"the app exited with {process.ExitCode}: {string.Join('\n', process.StandardError)}" : null);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Polls /health/live until 200 (bounded); a slow answer on a loaded machine is "not yet", an exit is a failure.</summary>
    public static Task WaitUntilLiveAsync(HttpClient client, string artifact, Func<string?> failure) =>
        Wait.Until(
            async () =>
            {
                if (failure() is { } reason)
                {
                    throw new InvalidOperationException(reason);
                }

                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative), timeout.Token);
                    return response.IsSuccessStatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(90),
            $"/health/live on the {artifact}");

    private sealed class ProcessHost(AppProcess process) : ICredentialsHost
    {
        public HttpClient Client { get; } = new() { BaseAddress = process.Address, Timeout = TimeSpan.FromSeconds(60) };

        public string Artifact => $"process {AppProcess.AppPath}";

        public Task<IReadOnlyList<string>> LogsAsync() =>
            Task.FromResult<IReadOnlyList<string>>([.. process.StandardOutput, .. process.StandardError]);

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await process.DisposeAsync();
        }
    }

    private sealed class LambdaHost(LambdaApi api) : ICredentialsHost
    {
        public HttpClient Client => api.Client;

        public string Artifact => $"Lambda bootstrap {LambdaApi.FunctionPath}";

        public Task<IReadOnlyList<string>> LogsAsync() => Task.FromResult(api.Output);

        public ValueTask DisposeAsync() => api.DisposeAsync();
    }
}
