using System.Globalization;
using Users.Api.Tests.Infrastructure;

namespace Users.Image.Tests;

/// <summary>
/// One container of the image, run as production runs it: read-only root filesystem, /tmp a tmpfs, the image's own
/// (non-root) user, no capabilities, no privilege escalation. On the host network, so moto, the test's proxies and
/// local agents on 127.0.0.1 are reachable; Kestrel on a free loopback port; no management port unless a test sets one.
/// </summary>
public sealed class ImageContainer : IAsyncDisposable
{
    private ImageContainer(string id, Uri address)
    {
        Id = id;
        Address = address;
    }

    public string Id { get; }

    public Uri Address { get; }

    /// <summary>Starts a container with these environment settings and read-only bind mounts (host path = container path).</summary>
    public static async Task<ImageContainer> StartAsync(IReadOnlyDictionary<string, string> settings, IEnumerable<string>? readOnlyMounts = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var address = new Uri($"http://127.0.0.1:{MotoServer.FreePort().ToString(CultureInfo.InvariantCulture)}");
        List<string> args =
        [
            "run", "-d", "--read-only", "--tmpfs", "/tmp:rw,size=64m,mode=1777", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges", "--network", "host", "-e", $"ASPNETCORE_URLS={address.ToString().TrimEnd('/')}",
            // Host network: containers started side by side must not all bind the default management port.
            "-e", "METRICS_PORT=0",
        ];
        foreach (var (key, value) in settings)
        {
            args.AddRange(["-e", $"{key}={value}"]);
        }

        foreach (var path in readOnlyMounts ?? [])
        {
            args.AddRange(["-v", $"{path}:{path}:ro"]);
        }

        args.Add(ImageUnderTest.Name);
        return new ImageContainer(await ContainerEngine.OutputAsync([.. args]), address);
    }

    /// <summary>Starts a container and waits until it answers /health/live; a container that exits first fails with its logs.</summary>
    public static async Task<ImageContainer> StartLiveAsync(IReadOnlyDictionary<string, string> settings, IEnumerable<string>? readOnlyMounts = null)
    {
        var container = await StartAsync(settings, readOnlyMounts);
        try
        {
            await container.WaitUntilLiveAsync();
            return container;
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
    }

    public async Task WaitUntilLiveAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        await Wait.Until(
            async () =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
                    return response.IsSuccessStatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return await IsRunningAsync() ? false : throw new InvalidOperationException($"The container exited: {string.Join('\n', await LogsAsync())}");
                }
            },
            TimeSpan.FromSeconds(90),
            $"/health/live on a container of {ImageUnderTest.Name}");
    }

    /// <summary>What the app wrote so far: standard output (the log lines) and standard error.</summary>
    public async Task<(IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)> OutputAsync()
    {
        var (_, stdout, stderr) = await ContainerEngine.RunAsync(["logs", Id]);
        return (Lines(stdout), Lines(stderr));
    }

    /// <summary>Every line the app wrote, both streams.</summary>
    public async Task<IReadOnlyList<string>> LogsAsync()
    {
        var (stdout, stderr) = await OutputAsync();
        return [.. stdout, .. stderr];
    }

    public async Task<bool> IsRunningAsync() => await ContainerEngine.OutputAsync("inspect", "--format", "{{.State.Running}}", Id) == "true";

    /// <summary>Sends SIGTERM, as Kubernetes and <c>docker stop</c> do.</summary>
    public Task TerminateAsync() => ContainerEngine.OutputAsync("kill", "--signal", "TERM", Id);

    /// <summary>The exit code, once the container has stopped (bounded).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var (code, stdout, stderr) = await ContainerEngine.RunAsync(["wait", Id], timeout);
        return code == 0 ? int.Parse(stdout.Trim(), CultureInfo.InvariantCulture) : throw new InvalidOperationException($"{ContainerEngine.Name} wait failed: {stderr}");
    }

    /// <summary>The real and effective user ids of the container's main process, as the kernel sees them.</summary>
    public async Task<string> ProcessUidsAsync()
    {
        var pid = await ContainerEngine.OutputAsync("inspect", "--format", "{{.State.Pid}}", Id);
        var uid = (await File.ReadAllLinesAsync($"/proc/{pid}/status")).Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return string.Join(' ', uid.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(2));
    }

    public async ValueTask DisposeAsync() => await ContainerEngine.RunAsync(["rm", "-f", Id]);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
