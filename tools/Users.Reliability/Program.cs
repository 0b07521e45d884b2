using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Users.Reliability;

// make reliability: every scenario of the campaign, each ending with the integrity audit, then docs/reliability.md.
//   --quick                 shorter phases (development, and the subset run by `make test`)
//   --scenarios a,b,...     which scenarios (default: all; with --quick: overload, abuse, faults, fuzz)
//   --app PATH              the app to run: the built Users.Functions.dll, or a native executable (Native AOT)
//   --report PATH           write the markdown report there (omitted: no report)
//   --merge                 replace only this run's scenarios in an existing report
//   --logs DIR              app and haproxy logs
//   --junit PATH            also write each scenario as a JUnit test case (scripts/test.sh counts result files)
var options = Args.Parse(args);
var quick = options.ContainsKey("quick");
var ids = options.TryGetValue("scenarios", out var list) ? list.Split(',', StringSplitOptions.RemoveEmptyEntries) : quick ? Scenarios.Quick : Scenarios.All;
var appDll = Path.GetFullPath(options.GetValueOrDefault("app") ?? "src/Users.Functions/bin/Release/net10.0/Users.Functions.dll");
var logs = Path.GetFullPath(options.GetValueOrDefault("logs") ?? "artifacts/reliability");
Directory.CreateDirectory(logs);
if (!File.Exists(appDll))
{
    Console.Error.WriteLine($"No app at {appDll}: build it first (dotnet build -c Release).");
    return 2;
}

var motoPort = Net.FreePort();
await using var emulator = ChildProcess.Start("moto_server", ["-H", "127.0.0.1", "-p", motoPort.ToString(CultureInfo.InvariantCulture)], logPath: Path.Combine(logs, "moto.log"));
var motoUrl = new Uri($"http://127.0.0.1:{motoPort}");
using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) })
{
    if (!await Net.WaitUntilAsync(async () => (await http.GetAsync(new Uri(motoUrl, "/moto-api/"))).IsSuccessStatusCode, TimeSpan.FromSeconds(60)))
    {
        Console.Error.WriteLine("moto_server did not answer.");
        return 1;
    }
}

await using var proxy = await FaultProxy.StartAsync(motoUrl);
var campaign = new Campaign { Moto = motoUrl, Proxy = proxy, AppDll = appDll, LogDir = logs, Quick = quick };
var results = new List<ScenarioResult>();
foreach (var id in ids)
{
    Console.WriteLine($"--> {id}");
    var watch = Stopwatch.StartNew();
    ScenarioResult result;
    try
    {
        result = await Scenarios.RunAsync(id, campaign);
    }
    catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException)
    {
        result = new ScenarioResult(id, id);
        result.Failures.Add($"the scenario could not run: {ex.Message}");
    }

    proxy.Clear();
    result.Elapsed = watch.Elapsed;
    results.Add(result);
    foreach (var (figure, value) in result.Rows)
    {
        Console.WriteLine($"    {figure}: {value}");
    }

    foreach (var failure in result.Failures)
    {
        Console.WriteLine($"    FAILED: {failure}");
    }

    Console.WriteLine($"<-- {id}: {(result.Passed ? "pass" : "FAIL")} ({result.Elapsed.TotalSeconds:0} s)");
}

if (options.TryGetValue("report", out var report))
{
    // A partial run with --merge replaces its scenarios' sections in an existing report and keeps the others; a full run
    // keeps only the sections no scenario writes (the crash proofs, xUnit tests of test/Users.Api.Tests/Sweep).
    var existing = File.Exists(report) ? await File.ReadAllTextAsync(report) : null;
    await File.WriteAllTextAsync(report, Report.Markdown(results, quick, existing, keepScenarioSections: options.ContainsKey("merge")));
    Console.WriteLine($"wrote {report}");
}

if (options.TryGetValue("junit", out var junit))
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(junit))!);
    await File.WriteAllTextAsync(junit, Report.JUnit(results));
}

var failed = results.Count(r => !r.Passed);
Console.WriteLine($"scenarios: {results.Count - failed} passed, {failed} failed");
return failed == 0 ? 0 : 1;

internal static class Args
{
    public static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var key = args[i].TrimStart('-');
            options[key] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }

        return options;
    }
}

internal static class Report
{
    private const string SectionMark = "<a id=\"";

    public static string Markdown(IReadOnlyList<ScenarioResult> results, bool quick, string? existing = null, bool keepScenarioSections = true)
    {
        // Sections by scenario id: the kept ones from an existing report, replaced by this run's.
        var sections = new List<(string Id, string Title, string Result, string Time, string Text)>();
        if (existing is not null)
        {
            var parts = existing.Split(SectionMark);
            foreach (var part in parts.Skip(1))
            {
                var id = part[..part.IndexOf('"', StringComparison.Ordinal)];
                if (!keepScenarioSections && Scenarios.All.Contains(id))
                {
                    continue;
                }

                var text = SectionMark + part.TrimEnd() + Environment.NewLine;
                var heading = text.Split('\n').First(l => l.StartsWith("## ", StringComparison.Ordinal))[3..].Trim();
                var colon = heading.LastIndexOf(": ", StringComparison.Ordinal);
                var time = text.Split('\n').FirstOrDefault(l => l.StartsWith("- **Time**: ", StringComparison.Ordinal))?["- **Time**: ".Length..].Trim() ?? "–";
                sections.Add((id, heading[..colon], heading[(colon + 2)..], time, text));
            }
        }

        foreach (var r in results)
        {
            var section = Section(r, quick);
            var at = sections.FindIndex(s => s.Id == r.Id);
            var entry = (r.Id, r.Title, r.Passed ? "pass" : "FAIL", $"{r.Elapsed.TotalSeconds:0} s", section);
            if (at >= 0)
            {
                sections[at] = entry;
            }
            else
            {
                sections.Add(entry);
            }
        }

        var md = new StringBuilder();
        md.AppendLine("# Reliability campaign");
        md.AppendLine();
        md.AppendLine("Generated by `make reliability` (tools/Users.Reliability); do not edit by hand. Every scenario runs the published");
        md.AppendLine("service as its own process (Kestrel) against `moto_server` through a fault-injecting HTTP proxy (straight to moto where");
        md.AppendLine("a section's load says so), on loopback only,");
        md.AppendLine("with bounded request loops, and ends with the **integrity audit**: every `201` has its DynamoDB item and its S3");
        md.AppendLine("object byte for byte, no item lacks its object, no object lacks its item (orphans). A scenario passes only with nothing lost.");
        md.AppendLine();
        md.AppendLine("Figures taken on a **2-core machine shared with other builds** (each section says when and in which mode):");
        md.AppendLine("absolute latencies and capacities are this machine's and moto's (a Python emulator), not AWS's; the ratios and");
        md.AppendLine("the pass/fail checks are what carries over.");
        md.AppendLine();
        md.AppendLine("| scenario | result | time |");
        md.AppendLine("|---|---|---|");
        foreach (var s in sections)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| [{s.Title}](#{s.Id}) | {(s.Result == "pass" ? "pass" : "**FAIL**")} | {s.Time} |");
        }

        foreach (var s in sections)
        {
            md.AppendLine();
            md.Append(s.Text);
        }

        return md.ToString();
    }

    /// <summary>One JUnit test case per scenario, its failed checks and unclean audits as the failure.</summary>
    public static string JUnit(IReadOnlyList<ScenarioResult> results) =>
        new XElement(
            "testsuite",
            new XAttribute("name", "reliability"),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", results.Count(r => !r.Passed)),
            results.Select(r => new XElement(
                "testcase",
                new XAttribute("classname", "Users.Reliability.Scenarios"),
                new XAttribute("name", r.Id),
                new XAttribute("time", r.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)),
                r.Passed ? null : new XElement(
                    "failure",
                    new XAttribute("message", string.Join("; ", r.Failures.Concat(r.Audits.Where(a => !a.Clean).Select(a => $"integrity audit: {a}")))))))).ToString();

    private static string Section(ScenarioResult r, bool quick)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"{SectionMark}{r.Id}\"></a>");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"## {r.Title}: {(r.Passed ? "pass" : "FAIL")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- **Load**: {r.Load}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- **Fault**: {r.Fault}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- **Run**: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(quick ? ", quick mode (shortened phases)" : string.Empty)}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- **Time**: {r.Elapsed.TotalSeconds:0} s");
        md.AppendLine(CultureInfo.InvariantCulture, $"- **Reproduce**: `make reliability SCENARIOS={r.Id}`{(quick ? " QUICK=1" : string.Empty)}");
        md.AppendLine();
        md.AppendLine("| figure | value |");
        md.AppendLine("|---|---|");
        foreach (var (figure, value) in r.Rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {figure} | {value.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        foreach (var failure in r.Failures)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| **failed check** | {failure} |");
        }

        return md.ToString();
    }
}
