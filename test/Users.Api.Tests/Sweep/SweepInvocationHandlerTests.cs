using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Users.Api.Tests.Infrastructure;
using Users.Core.Adapters.Aws;
using Users.Core.UseCases;
using Users.Functions.Sweep;
using Users.Lambda.Hosting.Events;

namespace Users.Api.Tests.Sweep;

/// <summary>
/// The sweep function's handler in process (the crash proofs run it through the Lambda emulator as its own process):
/// the event's <c>dryRun</c>, the report as the response, a refused run as the invocation's error, a payload that is
/// not JSON refused. On the real adapters against moto, the sweep's clock two hours ahead so the orphan is a candidate.
/// </summary>
public sealed class SweepInvocationHandlerTests : IAsyncLifetime, IDisposable
{
    private readonly AwsTestStorage storage = new(MotoServer.Shared.Endpoint);
    private readonly ServiceProvider services = new ServiceCollection().BuildServiceProvider();

    public Task InitializeAsync() => storage.CreateAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        services.Dispose();
        storage.Dispose();
    }

    [Fact]
    public async Task A_dry_run_event_reports_the_orphan_and_a_scheduled_event_removes_it()
    {
        await SeedAsync(withUser: true);
        var handler = Handler();

        var dryRun = Report(await handler.HandleAsync(Event("{\"dryRun\": true}"), CancellationToken.None));
        Assert.Equal(("completed", true, 1, 0), (dryRun.GetProperty("result").GetString(), dryRun.GetProperty("dryRun").GetBoolean(), dryRun.GetProperty("orphansFound").GetInt32(), dryRun.GetProperty("removed").GetInt32()));
        Assert.Equal(1, dryRun.GetProperty("kept").GetProperty("dry_run").GetInt32());
        Assert.Equal(2, (await storage.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = storage.BucketName })).KeyCount);

        var scheduled = Report(await handler.HandleAsync(Event(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "events", "scheduled-sweep.json"))), CancellationToken.None));
        Assert.Equal(("completed", false, 1, 1), (scheduled.GetProperty("result").GetString(), scheduled.GetProperty("dryRun").GetBoolean(), scheduled.GetProperty("orphansFound").GetInt32(), scheduled.GetProperty("removed").GetInt32()));
        Assert.Equal(1, scheduled.GetProperty("users").GetInt32());
        Assert.False(scheduled.TryGetProperty("error", out _));
        Assert.Equal(1, (await storage.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = storage.BucketName })).KeyCount);
    }

    [Fact]
    public async Task A_refused_run_is_the_invocations_error_and_its_report_names_why()
    {
        await SeedAsync(withUser: false); // an empty table: the sweep removes nothing
        var handler = Handler();

        var error = await Assert.ThrowsAsync<AvatarSweepFailedException>(() => handler.HandleAsync(Event("{}"), CancellationToken.None));
        Assert.StartsWith("Avatar sweep refused: ", error.Message, StringComparison.Ordinal);

        var report = Report(SweepReportJson.Write(await Sweep().RunAsync(dryRun: false, CancellationToken.None)));
        Assert.Equal("refused", report.GetProperty("result").GetString());
        Assert.False(string.IsNullOrEmpty(report.GetProperty("error").GetString()));
        Assert.Equal(1, (await storage.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = storage.BucketName })).KeyCount);
    }

    [Fact]
    public async Task A_payload_that_is_not_json_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Handler().HandleAsync(Event("dryRun"), CancellationToken.None));
        Assert.Contains("takes a JSON event", error.Message, StringComparison.Ordinal);
    }

    private async Task SeedAsync(bool withUser)
    {
        var referenced = $"avatars/{Guid.NewGuid():N}.png";
        await storage.S3.PutObjectAsync(new PutObjectRequest { BucketName = storage.BucketName, Key = "avatars/orphan.png", ContentBody = "no user points to it" });
        if (!withUser)
        {
            return;
        }

        await storage.S3.PutObjectAsync(new PutObjectRequest { BucketName = storage.BucketName, Key = referenced, ContentBody = "a user's avatar" });
        await storage.DynamoDb.PutItemAsync(new PutItemRequest
        {
            TableName = storage.TableName,
            Item = new()
            {
                ["email"] = new AttributeValue("kept@example.com"),
                ["name"] = new AttributeValue("Kept"),
                ["avatar_url"] = new AttributeValue($"{MotoServer.Shared.Endpoint}/{storage.BucketName}/{referenced}"),
            },
        });
    }

    private SweepInvocationHandler Handler() => new(Sweep(), services);

    private AvatarSweep Sweep()
    {
        var options = new AwsStorageOptions { TableName = storage.TableName, BucketName = storage.BucketName, Region = AwsTestStorage.Region, ServiceUrl = MotoServer.Shared.Endpoint };
        var avatars = new S3AvatarStore(storage.S3, options, TimeProvider.System);
        return new AvatarSweep(new DynamoDbUserRepository(storage.DynamoDb, options), avatars, avatars, new AvatarSweepOptions { GracePeriod = TimeSpan.FromHours(1) },
            new AheadClock(TimeSpan.FromHours(2)), NullLogger<AvatarSweep>.Instance);
    }

    private static LambdaEvent Event(string json) => new(Encoding.UTF8.GetBytes(json), "request-1", DateTimeOffset.UtcNow.AddMinutes(5), null);

    private static JsonElement Report(byte[] response) => JsonDocument.Parse(response).RootElement.Clone();

    private sealed class AheadClock(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + ahead;
    }
}
