using Users.ResultCheck;

namespace Users.Tools.Tests;

/// <summary>What a filtered run's results must show: each way it can fall short is named; a sound run has no problem.</summary>
public sealed class ChecksTests
{
    private const string Lambda = "Users.Api.Tests.Contract.LambdaContractTests";

    [Fact]
    public void A_run_with_every_class_at_its_minimum_and_nothing_failed_or_skipped_counts() =>
        Assert.Empty(Checks.Filtered([File(Passed(Lambda, 3))], [(Lambda, 3)]));

    [Fact]
    public void A_renamed_class_that_dropped_out_of_the_filter_is_named()
    {
        var problem = Assert.Single(Checks.Filtered([File(Passed(Lambda, 3))], [(Lambda, 3), ("Users.Api.Tests.Contract.ProcessContractTests", 1)]));

        Assert.StartsWith("Users.Api.Tests.Contract.ProcessContractTests: 0 passed tests, at least 1 expected", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_class_below_its_minimum_is_named() =>
        Assert.Contains($"{Lambda}: 2 passed tests, at least 3 expected", Assert.Single(Checks.Filtered([File(Passed(Lambda, 2))], [(Lambda, 3)])), StringComparison.Ordinal);

    [Fact]
    public void No_result_file_is_a_problem() =>
        Assert.Contains("no result file", Assert.Single(Checks.Filtered([], [])), StringComparison.Ordinal);

    [Fact]
    public void A_run_that_did_not_complete_is_a_problem() =>
        Assert.Contains("did not complete", Assert.Single(Checks.Filtered([File(Passed(Lambda, 1)) with { Completed = false }], [])), StringComparison.Ordinal);

    [Fact]
    public void Failed_and_skipped_tests_are_each_named()
    {
        var file = File([.. Passed(Lambda, 1), new(Lambda, "broken", Outcome.Failed), new(Lambda, "skipped", Outcome.NotRun)]);

        Assert.Equal(["failed: broken", "not run (skipped): skipped"], Checks.Filtered([file], [(Lambda, 1)]));
    }

    private static ResultFile File(IReadOnlyList<TestCase> cases) => new("run.trx", "trx", cases, Completed: true);

    private static TestCase[] Passed(string cls, int count) => [.. Enumerable.Range(0, count).Select(i => new TestCase(cls, $"test{i}", Outcome.Passed))];
}
