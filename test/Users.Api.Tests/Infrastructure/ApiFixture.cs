namespace Users.Api.Tests.Infrastructure;

/// <summary>One running instance of the API, however it is hosted.</summary>
public interface IRunningApi : IAsyncDisposable
{
    HttpClient Client { get; }
}

/// <summary>
/// What every contract test needs, independent of the host: a real emulator (shared <c>moto_server</c>), a
/// table and bucket of the fixture's own, a proxy in front of the emulator that the app uses as its
/// <c>AWS_ENDPOINT_URL</c> (so tests can stop the backend), and the API itself. A host kind (Kestrel, Lambda)
/// supplies <see cref="StartApiAsync(IReadOnlyDictionary{string, string})"/>; the suite runs unchanged on each.
/// </summary>
public abstract class ApiFixture : IAsyncLifetime
{
    private readonly bool createStorage;
    private IRunningApi? api;

    protected ApiFixture()
        : this(new AwsTestStorage(MotoServer.Shared.Endpoint), MotoServer.Shared.Endpoint, createStorage: true)
    {
    }

    /// <summary>
    /// On <paramref name="storage"/> (created here when <paramref name="createStorage"/>, else it exists already), with the
    /// app's proxy forwarding to <paramref name="appBackend"/>: the emulator, or something in front of it (a recorder).
    /// </summary>
    protected ApiFixture(AwsTestStorage storage, Uri appBackend, bool createStorage)
    {
        Storage = storage;
        Backend = new TcpProxy(appBackend);
        this.createStorage = createStorage;
    }

    /// <summary>Direct access to the emulator, bypassing the app and the proxy.</summary>
    public AwsTestStorage Storage { get; }

    /// <summary>The app's view of AWS: stop it, black-hole it, start it again.</summary>
    public TcpProxy Backend { get; }

    /// <summary>The default API instance, configured by <see cref="Settings"/>.</summary>
    public HttpClient Client => api?.Client ?? throw new InvalidOperationException("The fixture has not started.");

    /// <summary>The host's name, for test output.</summary>
    public abstract string HostName { get; }

    /// <summary>Environment settings for an API instance on this fixture's storage, plus overrides.</summary>
    public Dictionary<string, string> Settings(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["USERS_TABLE_NAME"] = Storage.TableName,
            ["AVATARS_BUCKET_NAME"] = Storage.BucketName,
            ["AWS_REGION"] = AwsTestStorage.Region,
            ["AWS_ENDPOINT_URL"] = Backend.Endpoint.ToString().TrimEnd('/'),
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            // The contract suite registers far more users from one address than the per-client limit allows;
            // the limit itself is tested in Reliability/AdmissionControlTests.
            ["REGISTER_RATE_LIMIT_PER_MINUTE"] = "0",
            // Likewise the adaptive limit: on a busy shared machine latency swings and the limit sheds (503) requests
            // the contract expects served; it is tested in Reliability/AdaptiveLimitTests, AdmissionControlTests and
            // the reliability campaign. The contract runs under the fixed limit (32 running, 32 queued).
            ["ADMISSION_LIMIT_MODE"] = "fixed",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Starts another instance of the API on this fixture's storage, with some settings changed.</summary>
    public Task<IRunningApi> StartApiAsync(IReadOnlyDictionary<string, string> overrides) => StartApiCoreAsync(Settings(overrides));

    public async Task InitializeAsync()
    {
        if (createStorage)
        {
            await Storage.CreateAsync();
        }

        api = await StartApiCoreAsync(Settings());
    }

    public async Task DisposeAsync()
    {
        if (api is not null)
        {
            await api.DisposeAsync();
        }

        await Backend.DisposeAsync();
        Storage.Dispose();
    }

    /// <summary>Starts the API with exactly these environment settings.</summary>
    protected abstract Task<IRunningApi> StartApiCoreAsync(IReadOnlyDictionary<string, string> settings);
}
