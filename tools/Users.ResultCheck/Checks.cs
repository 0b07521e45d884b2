namespace Users.ResultCheck;

/// <summary>What a filtered test run must show in its result files for its step to pass.</summary>
internal static class Checks
{
    /// <summary>
    /// Each reason the run does not count: no result file (the runner never started or wrote elsewhere), a run that did
    /// not complete (a crashed test host), a failed or skipped test, or a class with fewer passed tests than its
    /// minimum (a renamed class drops out of an OR-list filter silently; this is where it is noticed). Empty when it counts.
    /// </summary>
    public static IReadOnlyList<string> Filtered(IReadOnlyList<ResultFile> files, IReadOnlyList<(string Class, int Min)> minimums)
    {
        var problems = new List<string>();
        if (files.Count == 0)
        {
            problems.Add("no result file: the tests did not run, or wrote their results elsewhere");
        }

        problems.AddRange(files.Where(f => !f.Completed).Select(f => $"{f.Path}: the run did not complete"));
        var cases = files.SelectMany(f => f.Cases).ToList();
        problems.AddRange(cases.Where(c => c.Outcome == Outcome.Failed).Select(c => $"failed: {c.Name}"));
        problems.AddRange(cases.Where(c => c.Outcome == Outcome.NotRun).Select(c => $"not run (skipped): {c.Name}"));
        foreach (var (cls, min) in minimums)
        {
            var passed = cases.Count(c => c.Class == cls && c.Outcome == Outcome.Passed);
            if (passed < min)
            {
                problems.Add($"{cls}: {passed} passed tests, at least {min} expected (class renamed, moved, or its tests removed?)");
            }
        }

        return problems;
    }
}
