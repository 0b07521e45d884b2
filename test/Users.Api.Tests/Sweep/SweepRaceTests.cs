using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Users.Api.Tests.Infrastructure;
using Users.Core.Adapters.Aws;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Core.UseCases;

namespace Users.Api.Tests.Sweep;

/// <summary>
/// Crash proof, the race: a user registered while the sweep runs keeps its avatar. The sweep runs here, on the real
/// DynamoDB and S3 adapters against moto, with its clock two hours ahead: every avatar, the new one included, is past
/// the grace period, as an avatar whose registration was still in flight across it would be. The registration (through
/// the API as its own process) lands after the sweep's first scan and before its listing, so the avatar is a candidate
/// that only the re-check finds a user for.
/// </summary>
public sealed class SweepRaceTests : IAsyncLifetime, IDisposable
{
    private readonly AwsTestStorage storage = new(MotoServer.Shared.Endpoint);

    public Task InitializeAsync() => storage.CreateAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => storage.Dispose();

    [Fact]
    public async Task A_user_registered_while_the_sweep_runs_keeps_its_avatar()
    {
        await using var api = await ProcessApiFixture.StartAsync(SweepScenario.Settings(storage, MotoServer.Shared.Endpoint));
        Assert.Equal(HttpStatusCode.Created, await SweepScenario.RegisterAsync(api.Client, "existing"));
        foreach (var orphan in new[] { "avatars/orphan-1.png", "avatars/orphan-2.png" })
        {
            await storage.S3.PutObjectAsync(new PutObjectRequest { BucketName = storage.BucketName, Key = orphan, ContentBody = "not pointed to" });
        }

        var options = new AwsStorageOptions
        {
            TableName = storage.TableName,
            BucketName = storage.BucketName,
            Region = AwsTestStorage.Region,
            ServiceUrl = MotoServer.Shared.Endpoint,
        };
        var avatars = new S3AvatarStore(storage.S3, options, TimeProvider.System);
        var duringTheSweep = HttpStatusCode.OK;
        var inventory = new RegistersBeforeListing(avatars, async () => duringTheSweep = await SweepScenario.RegisterAsync(api.Client, "during"));
        var sweep = new AvatarSweep(
            new DynamoDbUserRepository(storage.DynamoDb, options), inventory, avatars, new AvatarSweepOptions { GracePeriod = TimeSpan.FromHours(1) },
            new AheadClock(TimeSpan.FromHours(2)), NullLogger<AvatarSweep>.Instance);

        var report = await sweep.RunAsync(dryRun: false, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Created, duringTheSweep);
        Assert.True(report.Error is null, report.Error);
        Assert.Equal((4, 2, 2, 2), (report.Examined, report.OrphansFound, report.Removed, report.KeptReferenced));
        var audit = await IntegrityAudit.TakeAsync(storage);
        Assert.True(audit.Clean && audit.Users == 2, $"after the sweep: {audit}");
    }

    /// <summary>The real S3 inventory, with a registration made just before its listing starts (after the sweep's first scan).</summary>
    private sealed class RegistersBeforeListing(IAvatarInventory inner, Func<Task> register) : IAvatarInventory
    {
        public async IAsyncEnumerable<IReadOnlyList<StoredAvatar>> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await register();
            await foreach (var page in inner.ListAsync(cancellationToken))
            {
                yield return page;
            }
        }

        public string? KeyOf(string storedUrl) => inner.KeyOf(storedUrl);
    }

    private sealed class AheadClock(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + ahead;
    }
}
