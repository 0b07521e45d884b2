namespace Users.Api.Tests.Infrastructure;

/// <summary>
/// The API as its own process on Kestrel (<see cref="AppProcess"/>): the built app as <c>make run</c> starts it, or,
/// with API_TEST_APP set, the published Native AOT executable the container image ships, so the whole contract runs
/// against the trimmed, ahead-of-time compiled build and not only the JIT one.
/// </summary>
public sealed class ProcessApiFixture : ApiFixture
{
    public override string HostName => "kestrel-process";

    protected override Task<IRunningApi> StartApiCoreAsync(IReadOnlyDictionary<string, string> settings) => StartAsync(settings);

    /// <summary>Starts the app as its own process with exactly these settings and waits until it is live.</summary>
    public static async Task<IRunningApi> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var app = AppProcess.Start(settings);
        try
        {
            await app.WaitUntilLiveAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new ProcessApi(app);
    }

    private sealed class ProcessApi(AppProcess app) : IRunningApi
    {
        public HttpClient Client { get; } = new() { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(30) };

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await app.DisposeAsync();
        }
    }
}
