using System.Net;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Sweep;

/// <summary>
/// Crash proof, Kestrel: the service as its own process (the built app, or with API_TEST_APP the Native AOT executable
/// the image ships) is killed with SIGKILL while registrations are in flight and DynamoDB is unreachable, so the
/// reconciler's entries die with it; restarted, it knows nothing of them. A dry run of the sweep
/// (<c>Users.Functions sweep</c>, SWEEP_DRY_RUN=1) names exactly the leaked avatars and removes nothing; one sweep then
/// removes exactly them. The integrity audit is taken after the crash (orphans, no user without its avatar) and after the
/// sweep (clean).
/// </summary>
public sealed class KestrelCrashTests : OutageScenario
{
    private const int BeforeTheOutage = 3;
    private const int Refused = 3;
    private const int InFlight = 3;

    [Fact]
    public async Task Avatars_leaked_by_a_SIGKILL_during_a_DynamoDB_outage_are_named_by_a_dry_run_and_removed_by_one_sweep()
    {
        var settings = SweepScenario.Settings(Storage, Proxy.Endpoint);
        var app = AppProcess.Start(settings);
        try
        {
            await app.WaitUntilLiveAsync();
            using var client = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; i < BeforeTheOutage; i++)
            {
                Assert.Equal(HttpStatusCode.Created, await SweepScenario.RegisterAsync(client, "before"));
            }

            // DynamoDB unreachable: each registration stores its avatar, its write fails with an unknown outcome (503),
            // and the avatar is handed to the reconciler, which cannot settle it while DynamoDB is away.
            Proxy.Outage = DynamoDbOutage.Reset;
            for (var i = 0; i < Refused; i++)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, await SweepScenario.RegisterAsync(client, "refused"));
            }

            // DynamoDB hung: these registrations are in flight (avatar stored, write held) when the process is killed.
            Proxy.Outage = DynamoDbOutage.Hang;
            var stored = (await Storage.ObjectKeysAsync()).Count;
            var inFlight = Enumerable.Range(0, InFlight).Select(_ => SweepScenario.RegisterAsync(client, "in-flight")).ToList();
            await Wait.Until(async () => (await Storage.ObjectKeysAsync()).Count == stored + InFlight, TimeSpan.FromSeconds(30), "the in-flight registrations' avatars");
            Assert.All(inFlight, request => Assert.False(request.IsCompleted, "a registration answered before the kill"));
            await app.KillAsync();
            Assert.All(await Task.WhenAll(inFlight), status => Assert.Equal((HttpStatusCode)0, status)); // the connection died with the process
        }
        finally
        {
            await app.DisposeAsync();
        }

        Proxy.Outage = DynamoDbOutage.None;
        var afterCrash = await IntegrityAudit.TakeAsync(Storage);
        Assert.True(afterCrash.Orphans.Count == Refused + InFlight && afterCrash.UsersWithoutAvatar.Count == 0, $"after the crash: {afterCrash}");

        // Restarted, the service serves again and knows nothing of what the dead process held.
        await using (var restarted = await ProcessApiFixture.StartAsync(settings))
        {
            using var users = await restarted.Client.GetAsync(new Uri("/users", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        }

        await SweepScenario.WaitPastGraceAsync(Storage);
        var dryRun = await SweepScenario.RunSweepProcessAsync(SweepScenario.Settings(Storage, Proxy.Endpoint, ("SWEEP_DRY_RUN", "1")));
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Equal(afterCrash.Orphans, dryRun.WouldRemove.Order(StringComparer.Ordinal));
        Assert.Equal((Refused + InFlight, Refused + InFlight), (dryRun.Figure("orphans_found"), dryRun.Figure("would_remove")));
        Assert.Empty(dryRun.Removed);
        Assert.Equal(afterCrash.Orphans, (await IntegrityAudit.TakeAsync(Storage)).Orphans);

        var sweep = await SweepScenario.RunSweepProcessAsync(settings);
        Assert.True(sweep.ExitCode == 0, sweep.ToString());
        Assert.Equal(afterCrash.Orphans, sweep.Removed.Order(StringComparer.Ordinal));
        Assert.Equal((BeforeTheOutage + Refused + InFlight, Refused + InFlight), (sweep.Figure("examined"), sweep.Figure("removed")));

        var audit = await IntegrityAudit.TakeAsync(Storage);
        Assert.True(audit.Clean && audit.Users == BeforeTheOutage, $"after the sweep: {audit}");
    }
}
