using System.Globalization;
using Users.ResultCheck;

// Users.ResultCheck: what the test runners wrote, read from their result files (never from their console output).
//   summary PATH...                       totals over every result file at PATH (files, or folders searched recursively)
//   check PATH... --min CLASS=N [...]     a filtered run's results: at least one result file, every run completed,
//                                         no test failed or skipped, and at least N passed tests in each CLASS
// Exit code: 0 when every check holds, 1 when one does not (each named on stderr), 2 for bad arguments.
if (args.Length < 2 || args[0] is not ("summary" or "check"))
{
    Console.Error.WriteLine("usage: Users.ResultCheck summary PATH... | check PATH... --min CLASS=N [--min CLASS=N ...]");
    return 2;
}

var paths = new List<string>();
var minimums = new List<(string Class, int Min)>();
for (var i = 1; i < args.Length; i++)
{
    if (args[i] == "--min" && i + 1 < args.Length)
    {
        var spec = args[++i];
        var at = spec.LastIndexOf('=');
        if (at <= 0 || !int.TryParse(spec.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var min) || min < 1)
        {
            Console.Error.WriteLine($"--min '{spec}': expected CLASS=N with N >= 1");
            return 2;
        }

        minimums.Add((spec[..at], min));
    }
    else
    {
        paths.Add(args[i]);
    }
}

try
{
    var files = ResultFiles.Load(paths);
    if (args[0] == "summary")
    {
        Console.WriteLine($"tests: {ResultFiles.Totals(files.SelectMany(f => f.Cases))} ({files.Count} result files)");
        return 0;
    }

    var problems = Checks.Filtered(files, minimums);
    foreach (var (cls, min) in minimums)
    {
        var passed = files.SelectMany(f => f.Cases).Count(c => c.Class == cls && c.Outcome == Outcome.Passed);
        Console.WriteLine($"  {(passed >= min ? "ok  " : "FAIL")} {cls}: {passed} passed (at least {min})");
    }

    foreach (var problem in problems)
    {
        Console.Error.WriteLine($"FAIL: {problem}");
    }

    Console.WriteLine($"tests: {ResultFiles.Totals(files.SelectMany(f => f.Cases))} ({files.Count} result files){(problems.Count == 0 ? string.Empty : ": FAILED")}");
    return problems.Count == 0 ? 0 : 1;
}
catch (Exception ex) when (ex is IOException or System.Xml.XmlException or System.Text.Json.JsonException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"FAIL: {ex.Message}");
    return 1;
}
