using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;

namespace Users.ResultCheck;

/// <summary>How one test ended.</summary>
internal enum Outcome
{
    Passed,
    Failed,

    /// <summary>Skipped, not executed or inconclusive: in CI, as bad as a failure unless a check says otherwise.</summary>
    NotRun,
}

/// <summary>One test case of a result file: its class (the runner's class name, or the file for terraform), name and outcome.</summary>
internal sealed record TestCase(string Class, string Name, Outcome Outcome);

/// <summary>One result file: its test cases, and whether the run that wrote it completed (a crashed test host does not).</summary>
internal sealed record ResultFile(string Path, string Format, IReadOnlyList<TestCase> Cases, bool Completed);

/// <summary>
/// Reads the files test runners write: VSTest's TRX (<c>dotnet test --logger trx</c>), JUnit XML (most other runners),
/// and <c>terraform test -json</c>'s JSON lines (Terraform 1.11 writes no result file; its machine-readable output,
/// saved to a <c>.jsonl</c> file, is the nearest thing). Anything else under a folder is ignored.
/// </summary>
internal static class ResultFiles
{
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>Every result file at these paths (files, or folders searched recursively), in a stable order.</summary>
    public static IReadOnlyList<ResultFile> Load(IEnumerable<string> paths)
    {
        var files = new List<ResultFile>();
        foreach (var path in paths)
        {
            IEnumerable<string> candidates = Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                : File.Exists(path) ? [path] : throw new FileNotFoundException($"No result file or folder at {path}.", path);
            files.AddRange(candidates.Select(Read).OfType<ResultFile>());
        }

        return files;
    }

    /// <summary>The file's results, or null when it is not a result file (a log, a coverage report).</summary>
    public static ResultFile? Read(string path)
    {
        if (path.EndsWith(".trx", StringComparison.OrdinalIgnoreCase))
        {
            return ReadTrx(path, XDocument.Load(path));
        }

        if (path.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
        {
            var document = XDocument.Load(path);
            return document.Root?.Name.LocalName is "testsuites" or "testsuite" ? ReadJUnit(path, document) : null;
        }

        return path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? ReadTerraform(path) : null;
    }

    private static ResultFile ReadTrx(string path, XDocument document)
    {
        // Results name their test by id; the definition of that id names its class.
        var classes = document.Descendants(Trx + "UnitTest").ToDictionary(
            t => (string)t.Attribute("id")!,
            t => (string?)t.Element(Trx + "TestMethod")?.Attribute("className") ?? "?",
            StringComparer.Ordinal);
        var cases = document.Descendants(Trx + "UnitTestResult").Select(r => new TestCase(
            classes.GetValueOrDefault((string?)r.Attribute("testId") ?? string.Empty, "?"),
            (string?)r.Attribute("testName") ?? "?",
            (string?)r.Attribute("outcome") switch
            {
                "Passed" => Outcome.Passed,
                "Failed" or "Error" or "Timeout" or "Aborted" => Outcome.Failed,
                _ => Outcome.NotRun,
            })).ToList();
        var summary = (string?)document.Descendants(Trx + "ResultSummary").FirstOrDefault()?.Attribute("outcome");
        // "Completed" when every test passed, "Failed" when one failed; a crashed or aborted run says otherwise.
        return new ResultFile(path, "trx", cases, summary is "Completed" or "Failed");
    }

    private static ResultFile ReadJUnit(string path, XDocument document)
    {
        var cases = document.Descendants("testcase").Select(c => new TestCase(
            (string?)c.Attribute("classname") ?? (string?)c.Parent?.Attribute("name") ?? "?",
            (string?)c.Attribute("name") ?? "?",
            c.Element("failure") is not null || c.Element("error") is not null ? Outcome.Failed
            : c.Element("skipped") is not null ? Outcome.NotRun
            : Outcome.Passed)).ToList();
        return new ResultFile(path, "junit", cases, Completed: true);
    }

    private static ResultFile ReadTerraform(string path)
    {
        // One JSON object a line; the run ends with {"type":"test_summary","test_summary":{"status":..,"passed":N,..}}.
        // Each run block is reported by a "test_run" line once it has a status.
        var cases = new List<TestCase>();
        var completed = false;
        foreach (var line in File.ReadLines(path).Where(l => l.StartsWith('{')))
        {
            using var message = JsonDocument.Parse(line);
            var root = message.RootElement;
            var type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type == "test_summary")
            {
                completed = true;
            }
            else if (type == "test_run" && root.GetProperty("test_run") is var run && run.TryGetProperty("status", out var status)
                && run.TryGetProperty("progress", out var progress) && progress.GetString() == "complete")
            {
                cases.Add(new TestCase(
                    run.GetProperty("path").GetString() ?? "?",
                    run.GetProperty("run").GetString() ?? "?",
                    status.GetString() switch
                    {
                        "pass" => Outcome.Passed,
                        "fail" or "error" => Outcome.Failed,
                        _ => Outcome.NotRun,
                    }));
            }
        }

        return new ResultFile(path, "terraform", cases, completed);
    }

    /// <summary>"N passed, M failed, K not run".</summary>
    public static string Totals(IEnumerable<TestCase> cases)
    {
        var list = cases.ToList();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{list.Count(c => c.Outcome == Outcome.Passed)} passed, {list.Count(c => c.Outcome == Outcome.Failed)} failed, {list.Count(c => c.Outcome == Outcome.NotRun)} not run");
    }
}
