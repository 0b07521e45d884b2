using Users.ResultCheck;

namespace Users.Tools.Tests;

/// <summary>The result files of each runner, as they write them, read into test cases with their class and outcome.</summary>
public sealed class ResultFilesTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("users-test-results-");

    [Fact]
    public void A_trx_file_gives_each_result_its_class_from_the_test_definitions()
    {
        var file = ResultFiles.Read(Write("run.trx", Samples.Trx("Completed", ("a", "Passed"), ("b", "Failed"), ("c", "NotExecuted"))))!;

        Assert.Equal("trx", file.Format);
        Assert.True(file.Completed);
        Assert.Equal(
            [new("Users.Api.Tests.Contract.LambdaContractTests", "Users.Api.Tests.Contract.LambdaContractTests.a", Outcome.Passed),
             new("Users.Api.Tests.Contract.LambdaContractTests", "Users.Api.Tests.Contract.LambdaContractTests.b", Outcome.Failed),
             new("Users.Api.Tests.Contract.LambdaContractTests", "Users.Api.Tests.Contract.LambdaContractTests.c", Outcome.NotRun)],
            file.Cases);
    }

    [Theory]
    [InlineData("Completed", true)]
    [InlineData("Failed", true)]
    [InlineData("Aborted", false)]
    [InlineData("Error", false)]
    public void A_trx_run_completed_unless_its_summary_says_it_was_cut_short(string outcome, bool completed) =>
        Assert.Equal(completed, ResultFiles.Read(Write("run.trx", Samples.Trx(outcome, ("a", "Passed"))))!.Completed);

    [Fact]
    public void A_junit_file_reads_failures_errors_and_skips()
    {
        var path = Write("junit.xml", """
            <testsuites><testsuite name="s" tests="4">
              <testcase classname="K" name="ok"/>
              <testcase classname="K" name="bad"><failure message="no"/></testcase>
              <testcase classname="K" name="broken"><error message="boom"/></testcase>
              <testcase classname="K" name="later"><skipped/></testcase>
            </testsuite></testsuites>
            """);

        var file = ResultFiles.Read(path)!;

        Assert.Equal([Outcome.Passed, Outcome.Failed, Outcome.Failed, Outcome.NotRun], file.Cases.Select(c => c.Outcome));
        Assert.All(file.Cases, c => Assert.Equal("K", c.Class));
    }

    [Fact]
    public void Terraform_test_json_lines_give_one_case_per_completed_run_block()
    {
        var path = Write("terraform.jsonl", string.Join('\n',
            """{"@message":"x","test_run":{"path":"tests/a.tftest.hcl","run":"one","progress":"starting","elapsed":0},"type":"test_run"}""",
            """{"@message":"x","test_run":{"path":"tests/a.tftest.hcl","run":"one","progress":"complete","status":"pass"},"type":"test_run"}""",
            """{"@message":"x","test_run":{"path":"tests/a.tftest.hcl","run":"two","progress":"complete","status":"fail"},"type":"test_run"}""",
            """{"@message":"Failure! 1 passed, 1 failed.","test_summary":{"status":"fail","passed":1,"failed":1,"errored":0,"skipped":0},"type":"test_summary"}"""));

        var file = ResultFiles.Read(path)!;

        Assert.True(file.Completed);
        Assert.Equal([new("tests/a.tftest.hcl", "one", Outcome.Passed), new("tests/a.tftest.hcl", "two", Outcome.Failed)], file.Cases);
    }

    [Fact]
    public void Terraform_output_without_its_summary_did_not_complete()
    {
        var path = Write("terraform.jsonl", """{"@message":"x","test_run":{"path":"a","run":"one","progress":"complete","status":"pass"},"type":"test_run"}""");

        Assert.False(ResultFiles.Read(path)!.Completed);
    }

    [Fact]
    public void A_folder_is_searched_recursively_and_what_is_not_a_result_file_is_left_out()
    {
        Write("nested/deeper/run.trx", Samples.Trx("Completed", ("a", "Passed")));
        Write("nested/coverage.cobertura.xml", "<coverage line-rate=\"1\"/>");
        Write("run.log", "Passed!  - Failed: 0, Passed: 99");

        var files = ResultFiles.Load([dir.FullName]);

        Assert.Equal("run.trx", Path.GetFileName(Assert.Single(files).Path));
    }

    [Fact]
    public void A_path_that_does_not_exist_is_an_error() =>
        Assert.Throws<FileNotFoundException>(() => ResultFiles.Load([Path.Combine(dir.FullName, "missing")]));

    public void Dispose() => dir.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(dir.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }
}
