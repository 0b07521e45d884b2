using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Users.Lambda.Hosting;
using Users.Lambda.Hosting.Runtime;
using Users.LambdaEmulator;

namespace Users.Lambda.Tests;

/// <summary>
/// Under Lambda nothing listens on a port: the host must not announce the Kestrel addresses it was configured with
/// (ASPNETCORE_URLS / HTTP_PORTS stay set in the Lambda images), or `make lambda-local` and CloudWatch show a false
/// "Now listening on: http://+:8080".
/// </summary>
[Collection(LambdaRuntimeGroup.Name)]
public sealed class LambdaServerAddressTests
{
    [Fact]
    public async Task The_lambda_server_announces_no_listening_address()
    {
        await using var runtime = await RuntimeApiEmulator.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://+:8080");
        var settings = new LambdaRuntimeSettings { RuntimeApi = runtime.RuntimeApi, FunctionName = "tests" };
        builder.UseLambdaHosting(settings, name => name == "POWERTOOLS_LOG_LEVEL" ? "Information" : null);
        var lines = new ConcurrentQueue<string>();
        builder.Logging.AddProvider(new CollectingLoggerProvider(lines));
        await using var app = builder.Build();
        app.MapGet("/", () => "ok");

        await app.StartAsync();
        await app.StopAsync();

        Assert.Contains(lines, l => l.StartsWith("Microsoft.Hosting.Lifetime: ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Now listening on", StringComparison.Ordinal));
    }

    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collecting(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Collecting(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }
}
