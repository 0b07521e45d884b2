using System.Diagnostics;
using System.Globalization;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Credentials;

/// <summary>One artifact of the service, started with a scenario's environment and nothing else of the machine's.</summary>
public interface ICredentialsHost : IAsyncDisposable
{
    HttpClient Client { get; }

    /// <summary>Everything the service printed so far.</summary>
    Task<IReadOnlyList<string>> LogsAsync();
}

/// <summary>
/// Which artifact the credential tests drive: the built app as a process (default, what `dotnet run` and `make run`
/// start), a container of CREDENTIALS_TEST_IMAGE (scripts/test-image.sh), or a Lambda bootstrap through the Lambda
/// emulator when LAMBDA_TEST_FUNCTION is set (scripts/test-sam.sh, ReadyToRun and Native AOT).
/// </summary>
public static class CredentialsHosts
{
    public static string Artifact =>
        Environment.GetEnvironmentVariable("CREDENTIALS_TEST_IMAGE") is { Length: > 0 } image ? $"image {image}"
        : Environment.GetEnvironmentVariable("LAMBDA_TEST_FUNCTION") is { Length: > 0 } function ? $"Lambda bootstrap {function}"
        : "process";

    public static async Task<ICredentialsHost> StartAsync(CredentialsScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (Environment.GetEnvironmentVariable("CREDENTIALS_TEST_IMAGE") is { Length: > 0 } image)
        {
            return await ContainerHost.StartAsync(image, scenario);
        }

        if (Environment.GetEnvironmentVariable("LAMBDA_TEST_FUNCTION") is { Length: > 0 })
        {
            return new LambdaHost(await LambdaApi.StartAsync(scenario.Settings));
        }

        var process = AppProcess.Start(scenario.Settings);
        var host = new ProcessHost(process);
        try
        {
            await WaitUntilLiveAsync(host.Client, () => process.HasExited ? $"the app exited with {process.ExitCode}: {string.Join('\n', process.StandardError)}" : null);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Polls /health/live until 200 (bounded); a slow answer on a loaded machine is "not yet", an exit is a failure.</summary>
    private static Task WaitUntilLiveAsync(HttpClient client, Func<string?> failure) =>
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
            $"/health/live on the {Artifact}");

    private sealed class ProcessHost(AppProcess process) : ICredentialsHost
    {
        public HttpClient Client { get; } = new() { BaseAddress = process.Address, Timeout = TimeSpan.FromSeconds(60) };

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

        public Task<IReadOnlyList<string>> LogsAsync() => Task.FromResult(api.Output);

        public ValueTask DisposeAsync() => api.DisposeAsync();
    }

    /// <summary>
    /// The image as production runs it (read-only, non-root, no capabilities), on the host network so that moto and
    /// the local agent on 127.0.0.1 are reachable; the scenario's folder is mounted read-only at the same path.
    /// </summary>
    private sealed class ContainerHost : ICredentialsHost
    {
        private static readonly string Engine = Environment.GetEnvironmentVariable("CREDENTIALS_TEST_ENGINE") is { Length: > 0 } e ? e : "podman";
        private readonly string id;

        private ContainerHost(string id, Uri address)
        {
            this.id = id;
            Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        }

        public HttpClient Client { get; }

        public static async Task<ContainerHost> StartAsync(string image, CredentialsScenario scenario)
        {
            var port = MotoServer.FreePort();
            var address = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
            List<string> args =
            [
                "run", "-d", "--read-only", "--tmpfs", "/tmp:rw,size=64m,mode=1777", "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges", "--network", "host",
                "-v", $"{scenario.Directory}:{scenario.Directory}:ro", "-e", $"ASPNETCORE_URLS={address}",
                // Host network: containers started side by side must not all bind the default management port.
                "-e", "METRICS_PORT=0",
            ];
            foreach (var (key, value) in scenario.Settings)
            {
                args.AddRange(["-e", $"{key}={value}"]);
            }

            args.Add(image);
            var (code, stdout, stderr) = await RunAsync(args);
            if (code != 0)
            {
                throw new InvalidOperationException($"{Engine} run failed ({code}): {stderr}");
            }

            var host = new ContainerHost(stdout.Trim(), new Uri(address));
            try
            {
                await WaitUntilLiveAsync(host.Client, () => null);
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }

            return host;
        }

        public async Task<IReadOnlyList<string>> LogsAsync()
        {
            var (_, stdout, stderr) = await RunAsync(["logs", id]);
            return (stdout + "\n" + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await RunAsync(["rm", "-f", id]);
        }

        private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args)
        {
            var start = new ProcessStartInfo(Engine, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Engine}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
