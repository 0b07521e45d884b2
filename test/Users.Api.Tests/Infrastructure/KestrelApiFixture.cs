using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Users.Api.Tests.Infrastructure;

/// <summary>The API in this process on real Kestrel over loopback, through the app's own Program.</summary>
public sealed class KestrelApiFixture : ApiFixture
{
    public override string HostName => "kestrel";

    protected override Task<IRunningApi> StartApiCoreAsync(IReadOnlyDictionary<string, string> settings) =>
        Task.FromResult<IRunningApi>(KestrelApi.Start(settings));
}

/// <summary>A <see cref="WebApplicationFactory{TEntryPoint}"/> on Kestrel with settings passed as configuration.</summary>
public sealed class KestrelApi : WebApplicationFactory<Program>, IRunningApi
{
    private readonly IReadOnlyDictionary<string, string> settings;
    private HttpClient? client;

    private KestrelApi(IReadOnlyDictionary<string, string> settings) => this.settings = settings;

    public HttpClient Client => client ?? throw new InvalidOperationException("Not started.");

    public static KestrelApi Start(IReadOnlyDictionary<string, string> settings)
    {
        // The SDK reads credentials from the environment; the values are the emulator's and the same for every test.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", settings.GetValueOrDefault("AWS_ACCESS_KEY_ID", "test"));
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", settings.GetValueOrDefault("AWS_SECRET_ACCESS_KEY", "test"));

        // The address is a setting the app's host reads (ASPNETCORE_URLS), not UseKestrel(port): that one rewrites the
        // server's addresses after the host is built, racing Program, which may have started the server by then.
        var port = MotoServer.FreePort();
        var api = new KestrelApi(new Dictionary<string, string>(settings)
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            // Instances run side by side: none binds the default management port unless a test gives it one.
            ["METRICS_PORT"] = settings.GetValueOrDefault("METRICS_PORT", "0"),
        });
        api.UseKestrel();
        api.StartServer();

        // A plain client over loopback: requests cross real sockets into real Kestrel.
        api.client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        return api;
    }

    public override async ValueTask DisposeAsync()
    {
        client?.Dispose();
        await base.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
