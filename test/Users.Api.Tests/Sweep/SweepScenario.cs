using System.Net;
using System.Text.Json;
using Amazon.S3.Model;
using Users.Api.Tests.Infrastructure;
using Users.Core.Adapters.Aws;

namespace Users.Api.Tests.Sweep;

/// <summary>
/// The integrity audit of the crash proofs, as docs/reliability.md's campaign has it for faults: no object under
/// <c>avatars/</c> that no user points to (an orphan), no user whose avatar is missing.
/// </summary>
public sealed record IntegrityAudit(int Users, int Objects, IReadOnlyList<string> Orphans, IReadOnlyList<string> UsersWithoutAvatar)
{
    public bool Clean => Orphans.Count == 0 && UsersWithoutAvatar.Count == 0;

    public static async Task<IntegrityAudit> TakeAsync(AwsTestStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var objects = (await storage.ObjectKeysAsync()).Where(k => k.StartsWith("avatars/", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var items = await storage.ScanAsync();
        var referenced = items.Select(i => AvatarUrls.KeyOf(i["avatar_url"].S) ?? "(no key) " + i["avatar_url"].S).ToList();
        return new IntegrityAudit(
            items.Count,
            objects.Count,
            [.. objects.Where(o => !referenced.Contains(o)).Order(StringComparer.Ordinal)],
            [.. items.Where(i => !objects.Contains(AvatarUrls.KeyOf(i["avatar_url"].S) ?? string.Empty)).Select(i => i["email"].S)]);
    }

    public override string ToString() =>
        $"{Users} users, {Objects} objects; orphans {Orphans.Count} [{string.Join(", ", Orphans)}], users without their avatar {UsersWithoutAvatar.Count} [{string.Join(", ", UsersWithoutAvatar)}]";
}

/// <summary>
/// A crash proof's table and bucket of its own on the shared moto, and the proxy through which its app sees AWS
/// (DynamoDB can be taken away while S3 answers).
/// </summary>
public abstract class OutageScenario : IAsyncLifetime, IDisposable
{
    protected AwsTestStorage Storage { get; } = new(MotoServer.Shared.Endpoint);

    protected DynamoDbOutageProxy Proxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Storage.CreateAsync();
        Proxy = await DynamoDbOutageProxy.StartAsync(MotoServer.Shared.Endpoint);
    }

    public async Task DisposeAsync() => await Proxy.DisposeAsync();

    public void Dispose()
    {
        Storage.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>What the crash proofs share: settings, registrations, the grace period, the sweep as a process.</summary>
public static class SweepScenario
{
    /// <summary>The shortest grace period the sweep accepts (AvatarSweepOptions.MinimumGracePeriod): the proofs wait it out.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    public static Dictionary<string, string> Settings(AwsTestStorage storage, Uri endpoint, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["USERS_TABLE_NAME"] = storage.TableName,
            ["AVATARS_BUCKET_NAME"] = storage.BucketName,
            ["AWS_REGION"] = AwsTestStorage.Region,
            ["AWS_ENDPOINT_URL"] = endpoint.ToString().TrimEnd('/'),
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["REGISTER_RATE_LIMIT_PER_MINUTE"] = "0",
            ["SWEEP_GRACE_PERIOD_SECONDS"] = ((int)Grace.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Registers a user and returns the status code (transport failures as 0).</summary>
    public static async Task<HttpStatusCode> RegisterAsync(HttpClient client, string who)
    {
        try
        {
            using var response = await client.PostAsync(new Uri("/user", UriKind.Relative), Images.Form("Sweep Test", Images.UniqueEmail(who), Images.Png));
            return response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Waits until every object in the bucket is older than the grace period, by S3's own timestamps: the sweep only
    /// considers what was stored longer ago than that, so the proof must let the clock pass it (20 s at most).
    /// </summary>
    public static async Task WaitPastGraceAsync(AwsTestStorage storage)
    {
        var newest = DateTime.MinValue;
        string? token = null;
        do
        {
            var page = await storage.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = storage.BucketName, ContinuationToken = token });
            foreach (var o in page.S3Objects ?? [])
            {
                newest = o.LastModified is { } modified && modified.ToUniversalTime() > newest ? modified.ToUniversalTime() : newest;
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);

        // S3 timestamps have a second's resolution: one more second, and the sweep's cutoff is past every object.
        var wait = newest + Grace + TimeSpan.FromSeconds(1.5) - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    /// <summary>Runs <c>Users.Functions sweep</c> (the built app, or API_TEST_APP) with these settings, as the CronJob does.</summary>
    public static async Task<SweepRun> RunSweepProcessAsync(IReadOnlyDictionary<string, string> settings)
    {
        await using var sweep = AppProcess.Start(settings, arguments: ["sweep"]);
        var exitCode = await sweep.WaitForExitAsync(TimeSpan.FromMinutes(2));
        return SweepRun.From(exitCode, [.. sweep.StandardOutput, .. sweep.StandardError]);
    }
}

/// <summary>One sweep run as its log lines tell it: the summary's figures and the keys it removed (or would have).</summary>
public sealed record SweepRun(int ExitCode, IReadOnlyList<string> Output, JsonElement? Summary, IReadOnlyList<string> Removed, IReadOnlyList<string> WouldRemove)
{
    public long Figure(string name) => Summary is { } summary && summary.TryGetProperty(name, out var value) ? value.GetInt64() : -1;

    public static SweepRun From(int exitCode, IReadOnlyList<string> output)
    {
        JsonElement? summary = null;
        var removed = new List<string>();
        var wouldRemove = new List<string>();
        foreach (var line in output.Where(l => l.StartsWith('{')))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var message = root.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty;
            if (root.TryGetProperty("avatar_key", out var key) && message.Contains(" removed: no user", StringComparison.Ordinal))
            {
                removed.Add(key.GetString()!);
            }
            else if (root.TryGetProperty("avatar_key", out key) && message.Contains("would be removed", StringComparison.Ordinal))
            {
                wouldRemove.Add(key.GetString()!);
            }
            else if (message.StartsWith("Avatar sweep", StringComparison.Ordinal))
            {
                summary = root.Clone();
            }
        }

        return new SweepRun(exitCode, output, summary, removed, wouldRemove);
    }

    public override string ToString() => $"exit {ExitCode}:\n{string.Join('\n', Output)}";
}
