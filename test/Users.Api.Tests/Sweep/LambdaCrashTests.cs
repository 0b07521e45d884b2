using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Users.Api.Tests.Infrastructure;
using Users.LambdaEmulator;

namespace Users.Api.Tests.Sweep;

/// <summary>
/// Crash proof, Lambda: the API function (the built app, or with LAMBDA_TEST_FUNCTION the bootstrap `sam build` leaves)
/// runs through the Lambda emulator; with DynamoDB unreachable, failed registrations leave reconciler entries in the
/// execution environment, and the bootstrap is killed (SIGKILL) in the middle of one more invocation, as Lambda recycles
/// an environment. The second function, the same artifact with handler <c>sweep</c>, is then invoked through the emulator:
/// <c>{"dryRun": true}</c> reports exactly the leaked avatars and removes nothing; the scheduled event
/// (events/scheduled-sweep.json, what EventBridge sends) removes exactly them. Integrity audit after the crash and after
/// the sweep.
/// </summary>
public sealed class LambdaCrashTests : OutageScenario
{
    private const int BeforeTheOutage = 2;
    private const int Refused = 2;

    [Fact]
    public async Task Avatars_leaked_by_a_bootstrap_killed_mid_invocation_are_removed_by_the_scheduled_sweep_function()
    {
        var settings = SweepScenario.Settings(Storage, Proxy.Endpoint);
        await using (var api = await LambdaApi.StartAsync(settings))
        {
            for (var i = 0; i < BeforeTheOutage; i++)
            {
                Assert.Equal(HttpStatusCode.Created, await SweepScenario.RegisterAsync(api.Client, "before"));
            }

            Proxy.Outage = DynamoDbOutage.Reset;
            for (var i = 0; i < Refused; i++)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, await SweepScenario.RegisterAsync(api.Client, "refused"));
            }

            // One more, in flight: its avatar is stored, its write held, when the environment is killed.
            Proxy.Outage = DynamoDbOutage.Hang;
            var stored = (await Storage.ObjectKeysAsync()).Count;
            var inFlight = SweepScenario.RegisterAsync(api.Client, "in-flight");
            await Wait.Until(async () => (await Storage.ObjectKeysAsync()).Count == stored + 1, TimeSpan.FromSeconds(30), "the in-flight registration's avatar");
            Assert.False(inFlight.IsCompleted, "the registration answered before the kill");
            var pid = api.Emulator.Function.ProcessId ?? throw new InvalidOperationException("no function process");
            using (var kill = Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            Assert.NotEqual(HttpStatusCode.Created, await inFlight);
            Proxy.Outage = DynamoDbOutage.None;

            // The next invocation gets a new environment, which knows nothing of what the dead one held.
            using var users = await api.Client.GetAsync(new Uri("/users", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, users.StatusCode);
            Assert.Equal(2, api.Emulator.Function.Starts);
        }

        var afterCrash = await IntegrityAudit.TakeAsync(Storage);
        Assert.True(afterCrash.Orphans.Count == Refused + 1 && afterCrash.UsersWithoutAvatar.Count == 0, $"after the crash: {afterCrash}");

        await using var sweeper = await LambdaApi.StartAsync(SweepScenario.Settings(Storage, Proxy.Endpoint, ("_HANDLER", "sweep")));
        await SweepScenario.WaitPastGraceAsync(Storage);

        var dryRun = await sweeper.Emulator.InvokeAsync("{\"dryRun\": true}"u8.ToArray());
        Assert.True(dryRun.Status == InvocationStatus.Success, $"{dryRun.Status} {dryRun.ErrorType} {dryRun.BodyText}\n{string.Join('\n', sweeper.Output)}");
        var dry = JsonDocument.Parse(dryRun.Body).RootElement;
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        Assert.Equal((Refused + 1, 0, Refused + 1), (dry.GetProperty("orphansFound").GetInt32(), dry.GetProperty("removed").GetInt32(), dry.GetProperty("kept").GetProperty("dry_run").GetInt32()));
        Assert.Equal(afterCrash.Orphans, (await IntegrityAudit.TakeAsync(Storage)).Orphans);

        var scheduled = await sweeper.Emulator.InvokeAsync(await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Root, "events", "scheduled-sweep.json")));
        Assert.True(scheduled.Status == InvocationStatus.Success, $"{scheduled.Status} {scheduled.ErrorType} {scheduled.BodyText}\n{string.Join('\n', sweeper.Output)}");
        var report = JsonDocument.Parse(scheduled.Body).RootElement;
        Assert.Equal(("completed", false, Refused + 1), (report.GetProperty("result").GetString(), report.GetProperty("dryRun").GetBoolean(), report.GetProperty("removed").GetInt32()));

        // Its metrics went out as EMF with the invocation: the orphans the CloudWatch alarm watches among them.
        var emf = sweeper.Output.Where(l => l.Contains("\"_aws\"", StringComparison.Ordinal) && l.Contains("users.avatar.sweep.orphans", StringComparison.Ordinal)).ToList();
        Assert.Contains(emf, l => JsonDocument.Parse(l).RootElement.TryGetProperty("users.avatar.sweep.orphans", out var orphans) && orphans.GetDouble() == Refused + 1);

        var audit = await IntegrityAudit.TakeAsync(Storage);
        Assert.True(audit.Clean && audit.Users == BeforeTheOutage, $"after the sweep: {audit}");
    }

    [Fact]
    public async Task An_event_that_is_not_json_is_the_invocations_error()
    {
        await Storage.PutItemAsync("a@example.com", "A", $"{Storage.Endpoint}{Storage.BucketName}/avatars/a.png");
        await using var sweeper = await LambdaApi.StartAsync(SweepScenario.Settings(Storage, Proxy.Endpoint, ("_HANDLER", "sweep")));

        var result = await sweeper.Emulator.InvokeAsync(Encoding.UTF8.GetBytes("not json"));

        Assert.Equal(InvocationStatus.FunctionError, result.Status);
        Assert.Contains("JSON event", result.BodyText, StringComparison.Ordinal);
    }
}
