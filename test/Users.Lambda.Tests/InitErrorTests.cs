using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Users.Lambda.Hosting;
using Users.Lambda.Hosting.Runtime;
using Users.Lambda.Hosting.Server;
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

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("127.0.0.1:9001", true)]
    public void Lambda_is_where_the_runtime_api_is_set(string? runtimeApi, bool lambda)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [LambdaRuntimeSettings.RuntimeApiVariable] = runtimeApi })
            .Build();

        Assert.Equal(lambda, configuration.IsLambda());
    }

    [Fact]
    public async Task Off_lambda_the_builder_keeps_kestrel_and_a_failure_reports_nothing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();

        Assert.Same(builder, builder.UseLambdaHostingWhenConfigured());
        Assert.False(builder.ReportInitError(new InvalidOperationException("not on Lambda")));
        await using var app = builder.Build();
        Assert.IsNotType<LambdaServer>(app.Services.GetRequiredService<IServer>());
    }

    [Fact]
    public async Task On_lambda_the_builder_serves_from_the_runtime_api_it_names()
    {
        await using var runtime = await RuntimeApiEmulator.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [LambdaRuntimeSettings.RuntimeApiVariable] = runtime.RuntimeApi,
            ["AWS_LAMBDA_FUNCTION_NAME"] = "users-fn",
        });

        builder.UseLambdaHostingWhenConfigured();

        await using var app = builder.Build();
        Assert.IsType<LambdaServer>(app.Services.GetRequiredService<IServer>());
        var settings = app.Services.GetRequiredService<LambdaRuntimeSettings>();
        Assert.Equal((runtime.RuntimeApi, "users-fn"), (settings.RuntimeApi, settings.FunctionName));
    }
}
