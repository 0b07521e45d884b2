using Amazon.S3.Model;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Smoke;

/// <summary>
/// Where the smoke suite points. With <c>SMOKE_BASE_URL</c> set (<c>make smoke URL=…</c>, the release pipeline after
/// each deploy) it is that deployment, reached only over HTTP. Without it (<c>make test</c>) it is the published app
/// started here as its own Kestrel process against a fresh table and bucket in the shared moto_server, seeded with
/// <see cref="SeededUsers"/> users (item and avatar object), so every check has something to check and the suite
/// cannot rot between releases.
/// </summary>
public sealed class SmokeTarget : IAsyncLifetime
{
    /// <summary>The base URL of a running deployment; unset runs against a local instance.</summary>
    public const string BaseUrlVariable = "SMOKE_BASE_URL";

    /// <summary>How many users the local instance's storage holds before the suite starts (more than a page of one).</summary>
    public const int SeededUsers = 3;

    private AppProcess? app;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Direct access to the local instance's storage; null against a deployment (black box only).</summary>
    public AwsTestStorage? Storage { get; private set; }

    /// <summary>What the suite runs against, for messages.</summary>
    public string Description { get; private set; } = "";

    /// <summary>The base URL from the environment, validated; null when unset.</summary>
    public static Uri? ConfiguredBaseUrl() => ParseBaseUrl(Environment.GetEnvironmentVariable(BaseUrlVariable));

    /// <summary>An http(s) base URL without query, ending in a slash; null for nothing; a clear error otherwise.</summary>
    public static Uri? ParseBaseUrl(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.Query))
        {
            throw new InvalidOperationException($"{BaseUrlVariable}='{value}' is not valid: expected an http(s) base URL such as https://api.example.com/ or https://abc.execute-api.eu-west-1.amazonaws.com/");
        }

        // A trailing slash, so relative paths keep a base path (API Gateway stages, path-based ingresses).
        return url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }

    public async Task InitializeAsync()
    {
        var remote = ConfiguredBaseUrl();
        if (remote is not null)
        {
            Description = remote.ToString();
            Client = new HttpClient { BaseAddress = remote, Timeout = TimeSpan.FromSeconds(30) };
            return;
        }

        Storage = new AwsTestStorage(MotoServer.Shared.Endpoint);
        await Storage.CreateAsync();
        for (var i = 0; i < SeededUsers; i++)
        {
            var key = $"avatars/smoke-seed-{i}.png";
            await Storage.S3.PutObjectAsync(new PutObjectRequest { BucketName = Storage.BucketName, Key = key, InputStream = new MemoryStream(Images.Png), ContentType = "image/png" });
            await Storage.PutItemAsync(Images.UniqueEmail("smoke-seed"), $"Smoke Seed {i}", $"{MotoServer.Shared.Endpoint.ToString().TrimEnd('/')}/{Storage.BucketName}/{key}");
        }
        app = AppProcess.Start(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["USERS_TABLE_NAME"] = Storage.TableName,
            ["AVATARS_BUCKET_NAME"] = Storage.BucketName,
            ["AWS_REGION"] = AwsTestStorage.Region,
            ["AWS_ENDPOINT_URL"] = MotoServer.Shared.Endpoint.ToString().TrimEnd('/'),
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
        });
        await app.WaitUntilLiveAsync();
        Description = $"local process {app.Address}";
        Client = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(30) };

        // As a deployment is smoke-tested once it is rolled out and ready: the first DynamoDB and S3 calls of a
        // fresh process (client set-up, connections) can outlast the readiness probe's own 2 s timeout.
        await Wait.Until(
            async () =>
            {
                using var ready = await Client.GetAsync("health/ready");
                return ready.IsSuccessStatusCode;
            },
            TimeSpan.FromSeconds(30),
            "the local instance to be ready");
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        Storage?.Dispose();
    }
}
