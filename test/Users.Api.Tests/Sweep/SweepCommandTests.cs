using Users.Api.Tests.Infrastructure;
using Users.Functions.Sweep;

namespace Users.Api.Tests.Sweep;

/// <summary>`Users.Functions sweep` as the CronJob runs it: how it is asked for, and its exit codes when it cannot do its job.</summary>
public sealed class SweepCommandTests
{
    [Theory]
    [InlineData(new[] { "sweep" }, null, true)]
    [InlineData(new[] { "sweep", "--Logging:LogLevel:Default=Debug" }, null, true)]
    [InlineData(new string[0], "sweep", true)]
    [InlineData(new string[0], "bootstrap", false)]
    [InlineData(new string[0], null, false)]
    [InlineData(new[] { "--urls=http://127.0.0.1:1" }, null, false)]
    public void The_first_argument_or_the_lambda_handler_asks_for_the_sweep(string[] args, string? handler, bool sweep) =>
        Assert.Equal(sweep, SweepCommand.IsRequested(args, name => name == "_HANDLER" ? handler : null));

    [Fact]
    public async Task Invalid_settings_are_named_in_one_line_and_exit_2()
    {
        var run = await SweepScenario.RunSweepProcessAsync(new Dictionary<string, string>
        {
            ["AWS_REGION"] = "bad region!",
            ["SWEEP_GRACE_PERIOD_SECONDS"] = "5",
        });

        Assert.Equal(SweepCommand.InvalidSettings, run.ExitCode);
        var line = Assert.Single(run.Output, l => l.StartsWith("Invalid configuration:", StringComparison.Ordinal));
        Assert.Contains("AWS_REGION='bad region!'", line, StringComparison.Ordinal);
        Assert.Contains("SWEEP_GRACE_PERIOD_SECONDS='5'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_it_cannot_reach_fails_the_run_with_exit_1_and_says_why()
    {
        using var storage = new AwsTestStorage(MotoServer.Shared.Endpoint);
        var run = await SweepScenario.RunSweepProcessAsync(SweepScenario.Settings(storage, MotoServer.Shared.Endpoint)); // no table, no bucket

        Assert.Equal(SweepCommand.Failed, run.ExitCode);
        Assert.Contains(run.Output, l => l.Contains("Avatar sweep failed: DynamoDB Scan failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_run_pushes_its_metrics_over_otlp_before_it_exits()
    {
        using var storage = new AwsTestStorage(MotoServer.Shared.Endpoint);
        await storage.CreateAsync();
        await storage.PutItemAsync("a@example.com", "A", $"{storage.Endpoint}{storage.BucketName}/avatars/a.png");
        await using var receiver = await OtlpReceiver.StartAsync();

        // The export interval is a minute: only the flush when the host stops can get them out of a run of seconds.
        var run = await SweepScenario.RunSweepProcessAsync(SweepScenario.Settings(storage, MotoServer.Shared.Endpoint,
            ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Endpoint.ToString().TrimEnd('/')), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")));

        Assert.True(run.ExitCode == SweepCommand.Completed, run.ToString());
        var metrics = string.Join('\n', receiver.Bodies("metrics").Select(System.Text.Encoding.UTF8.GetString));
        Assert.All(
            new[] { "users.avatar.sweep.examined", "users.avatar.sweep.orphans", "users.avatar.sweep.removed", "users.avatar.sweep.runs" },
            name => Assert.Contains(name, metrics, StringComparison.Ordinal));
    }
}
