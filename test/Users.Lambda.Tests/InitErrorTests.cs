using System.Text.Json;
using Users.Lambda.Hosting.Runtime;
using Users.LambdaEmulator;

namespace Users.Lambda.Tests;

public sealed class InitErrorTests
{
    [Fact]
    public async Task A_start_up_failure_is_posted_to_init_error_with_the_error_shape()
    {
        await using var runtime = await RuntimeApiEmulator.StartAsync();
        InvalidOperationException failure;
        try
        {
            throw new InvalidOperationException("USERS_TABLE_NAME is not valid");
        }
        catch (InvalidOperationException ex)
        {
            failure = ex;
        }

        var reported = InitErrorReporter.Report(runtime.RuntimeApi, failure, TimeSpan.FromSeconds(5));

        Assert.True(reported);
        var report = Assert.Single(runtime.InitErrors);
        Assert.Equal("InvalidOperationException", report.ErrorType);
        Assert.Equal(RuntimeApiClient.ErrorContentType, report.ContentType);
        var body = JsonDocument.Parse(report.Body).RootElement;
        Assert.Equal("USERS_TABLE_NAME is not valid", body.GetProperty("errorMessage").GetString());
        Assert.Equal("InvalidOperationException", body.GetProperty("errorType").GetString());
        Assert.NotEmpty(body.GetProperty("stackTrace").EnumerateArray());
    }

    [Fact]
    public void Reporting_to_an_unreachable_runtime_api_does_not_throw()
    {
        var reported = InitErrorReporter.Report("127.0.0.1:1", new InvalidOperationException("x"), TimeSpan.FromSeconds(2));

        Assert.False(reported);
    }
}
