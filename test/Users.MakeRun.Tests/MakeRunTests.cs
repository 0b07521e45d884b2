using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Users.MakeRun.Tests;

/// <summary>The ports both starts use, and the session running now (killed at the end if a step left it running).</summary>
public sealed class MakeRunFixture : IDisposable
{
    public int ApiPort { get; } = Processes.FreePort();

    public int MetricsPort { get; } = Processes.FreePort();

    public int EmulatorPort { get; } = Processes.FreePort();

    public MakeRunSession? Session { get; set; }

    public void Dispose() => Session?.Dispose();
}

/// <summary>
/// `make run` as the README tells a newcomer to use it, on free ports, twice, in the order written here:
/// 1. it answers GET /users, runs every command of the README's "Try it" as written, accepts the README's sample upload,
///    serves Swagger UI, listens for /metrics on loopback only, `make sweep` runs against its emulator, it finishes
///    provisioning the production settings in the background, and Ctrl-C (SIGINT to its process group, as a terminal
///    sends it) stops everything;
/// 2. started again (build up to date, a new empty emulator) it answers, and Ctrl-C while Terraform is still applying
///    stops everything too.
/// Prints how long each first answer took (figures, not assertions: docs/performance.md quotes them).
/// </summary>
[TestCaseOrderer(DeclarationOrderer.TypeName, DeclarationOrderer.AssemblyName)]
public sealed partial class MakeRunTests(MakeRunFixture fixture, ITestOutputHelper log) : IClassFixture<MakeRunFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private static readonly string Avatar = Path.Combine(Processes.RepoRoot, "docs", "examples", "avatar.png");
    private static readonly string Email = $"make-run-{Environment.ProcessId}@example.com";

    private MakeRunSession Session => fixture.Session ?? throw new InvalidOperationException("make run was not started (its first step failed)");

    private string Api => Session.Api;

    [Fact]
    public Task First_start_answers_GET_users() => StartAsync("first start");

    [Fact]
    public Task The_READMEs_Try_it_runs_as_written() => CheckScriptAsync("scripts/check-readme-try-it.sh", "the README's Try it");

    [Fact]
    public async Task The_READMEs_upload_creates_a_listed_user_whose_avatar_url_opens_and_serves_the_uploaded_bytes()
    {
        using var form = new MultipartFormDataContent { { new StringContent("Make Run"), "name" }, { new StringContent(Email), "email" } };
        var avatar = new ByteArrayContent(await File.ReadAllBytesAsync(Avatar));
        avatar.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(avatar, "avatar", "avatar.png");
        using var created = await Http.PostAsync(new Uri($"{Api}/user"), form);
        Assert.True(created.StatusCode == HttpStatusCode.Created, Session.Explain($"POST /user with the README's sample avatar answered {(int)created.StatusCode}"));

        var user = (await UsersAsync()).SingleOrDefault(u => u.GetProperty("email").GetString() == Email);
        Assert.True(user.ValueKind == JsonValueKind.Object, Session.Explain("the user just created is not listed"));
        // The link make run returns opens (presigned: the bucket is private) and serves exactly the uploaded bytes.
        var url = user.GetProperty("avatar_url").GetString()!;
        using var served = await Http.GetAsync(new Uri(url));
        Assert.True(served.IsSuccessStatusCode, Session.Explain($"the avatar_url make run returned does not open ({(int)served.StatusCode}): {url}"));
        var (uploaded, got) = (await File.ReadAllBytesAsync(Avatar), await served.Content.ReadAsByteArrayAsync());
        Assert.True(uploaded.AsSpan().SequenceEqual(got), $"the avatar_url serves other bytes than the uploaded docs/examples/avatar.png: {url}");
    }

    [Fact]
    public async Task Make_seed_registers_three_listed_users()
    {
        var seed = await Processes.RunAsync("make", ["--no-print-directory", "seed", $"URL={Api}", "COUNT=3"]);
        Assert.True(seed.ExitCode == 0, Session.Explain($"make seed URL={Api} COUNT=3: {seed}"));
        Assert.Equal(3, (await UsersAsync()).Count(u => SeedEmail().IsMatch(u.GetProperty("email").GetString()!)));
    }

    [Fact]
    public void Make_run_says_its_data_lives_in_the_emulators_memory() =>
        Assert.True(Session.Output.Contains("data lives in the emulator's memory", StringComparison.Ordinal), Session.Explain("make run does not say its data lives in the emulator's memory"));

    [Fact]
    public async Task Swagger_UI_is_on()
    {
        using var response = await Http.GetAsync(new Uri($"{Api}/swagger/index.html"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Swagger UI (/swagger/index.html) answered {(int)response.StatusCode} under make run");
    }

    [Fact]
    public Task The_served_docs_pass_redocly_and_Swagger_UI_works_in_a_browser() => CheckScriptAsync("scripts/check-served-docs.sh", "the served docs");

    [Fact]
    public async Task Metrics_listen_on_loopback_only()
    {
        // The management port listens where the API does: loopback only (an address of this machine's other interfaces
        // would show as 0.0.0.0, [::] or that address).
        var port = Session.MetricsPort;
        var ss = await Processes.RunAsync("ss", ["-Hltn", $"sport = :{port}"]);
        Assert.Equal(0, ss.ExitCode);
        var listening = ss.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal([$"127.0.0.1:{port}"], listening);
        var metrics = await Http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        Assert.Contains("\n# TYPE", "\n" + metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Make_sweep_against_its_emulator_examines_one_avatar_per_user_and_removes_nothing()
    {
        // Every avatar stored above is a user's (and within the grace period): a dry run and a run find and remove nothing.
        var env = new Dictionary<string, string> { ["EMULATOR_PORT"] = $"{Session.EmulatorPort}" };
        var dryRun = await Processes.RunAsync("make", ["--no-print-directory", "sweep", "SWEEP_DRY_RUN=1"], env);
        Assert.True(dryRun.ExitCode == 0, $"make sweep SWEEP_DRY_RUN=1 failed: {dryRun}");
        Assert.Matches(DryRunReport(), dryRun.Output);
        var run = await Processes.RunAsync("make", ["--no-print-directory", "sweep"], env);
        Assert.True(run.ExitCode == 0, $"make sweep failed: {run}");
        Assert.Matches(RunReport(), run.Output);
    }

    [Fact]
    public async Task Provisioning_completes_in_the_background_importing_the_table_and_bucket()
    {
        var deadline = TimeSpan.FromSeconds(300) + Session.Started.Elapsed;
        while (!Session.Printed("==> provisioning complete"))
        {
            Assert.True(await Session.RunningAsync(), Session.Explain("make run exited before provisioning completed"));
            Assert.True(Session.Started.Elapsed < deadline, Session.Explain("provisioning did not complete within 300 s"));
            await Task.Delay(1000);
        }

        // The emulator make run started is empty: the table and bucket come from the AWS CLI at once, then Terraform
        // imports them and applies every other setting (scripts/provision-local.sh).
        var applied = Applied().Match(Session.Output).Value;
        Assert.True(applied.StartsWith("Resources: 2 imported, ", StringComparison.Ordinal), Session.Explain($"Terraform did not import the table and bucket and apply the rest: '{applied}'"));
        log.WriteLine($"provisioning complete ({applied})");
    }

    [Fact]
    public Task Ctrl_C_stops_the_API_and_the_emulator() => CtrlCAsync();

    [Fact]
    public async Task Second_start_answers_without_building_again()
    {
        await StartAsync("second start");
        Assert.True(Session.Printed("==> build up to date"), Session.Explain("the second start built again"));
    }

    [Fact]
    public async Task Ctrl_C_while_Terraform_is_still_applying_stops_everything()
    {
        Assert.False(Session.Printed("==> provisioning complete"), Session.Explain("provisioning already complete: nothing tested Ctrl-C during Terraform"));
        await CtrlCAsync();
    }

    /// <summary>`make run` in a new session; waits for GET /users to answer 200 and prints how long that took.</summary>
    private async Task StartAsync(string which)
    {
        fixture.Session?.Dispose();
        var session = fixture.Session = new MakeRunSession(fixture.ApiPort, fixture.MetricsPort, fixture.EmulatorPort);
        HttpStatusCode? status = null;
        while (status != HttpStatusCode.OK)
        {
            Assert.True(session.Started.Elapsed < TimeSpan.FromSeconds(300), session.Explain($"GET /users never answered 200 (last: {status})"));
            await Task.Delay(200);
            try
            {
                using var response = await Http.GetAsync(new Uri($"{session.Api}/users"));
                status = response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = null;
            }
        }

        log.WriteLine($"{which}: GET /users answered 200, {session.Started.Elapsed.TotalSeconds:F0} s after make run");
    }

    /// <summary>One of the checks that read what make run serves as its reader would (their script, given the API's URL).</summary>
    private async Task CheckScriptAsync(string script, string what)
    {
        var result = await Processes.RunAsync("bash", [script, Api]);
        Assert.True(result.ExitCode == 0, Session.Explain($"{what} ({script}): {result}"));
        log.WriteLine(result.Output);
    }

    /// <summary>Ctrl-C, then nothing of the group may remain and no port may still be served.</summary>
    private async Task CtrlCAsync()
    {
        var notStopped = await Session.CtrlCAsync();
        Assert.True(notStopped is null, Session.Explain(notStopped ?? string.Empty));
        foreach (var port in new[] { Session.ApiPort, Session.MetricsPort, Session.EmulatorPort })
        {
            Assert.False(Processes.Served(port), Session.Explain($"port {port} still served after Ctrl-C"));
        }
    }

    private async Task<List<JsonElement>> UsersAsync()
    {
        using var users = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"{Api}/users")));
        return users.RootElement.EnumerateArray().Select(u => u.Clone()).ToList();
    }

    [GeneratedRegex("^seed-[123]@example.test$")]
    private static partial Regex SeedEmail();

    [GeneratedRegex(@"Avatar sweep dry run completed: ([0-9]+) avatars examined, 0 orphans found, 0 would be removed .*, \1 users")]
    private static partial Regex DryRunReport();

    [GeneratedRegex(@"Avatar sweep completed: ([0-9]+) avatars examined, 0 orphans found, 0 removed, .*, \1 users")]
    private static partial Regex RunReport();

    [GeneratedRegex("Resources: [0-9]+ imported, [0-9]+ added")]
    private static partial Regex Applied();
}
