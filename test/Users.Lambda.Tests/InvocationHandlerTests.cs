using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Users.Lambda.Hosting;
using Users.Lambda.Hosting.Events;
using Users.Lambda.Hosting.Runtime;
using Users.LambdaEmulator;

namespace Users.Lambda.Tests;

/// <summary>
/// A function that is not an HTTP API (the avatar sweep's): every invocation, whatever its event, goes to the app's
/// <see cref="ILambdaInvocationHandler"/> through the same Runtime API loop; an exception is the invocation's error, the
/// deadline cancels the handler, and the loop goes on.
/// </summary>
[Collection(LambdaRuntimeGroup.Name)]
public sealed class InvocationHandlerTests
{
    [Fact]
    public async Task Every_event_reaches_the_handler_and_its_answer_is_the_response()
    {
        await using var function = await HandlerFunction.StartAsync();

        const string Event = "{\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\"}";
        var scheduled = await function.Runtime.InvokeAsync(Encoding.UTF8.GetBytes(Event), TimeSpan.FromSeconds(20));

        Assert.Equal(InvocationStatus.Success, scheduled.Status);
        Assert.Equal(Event, Events.Parse(scheduled.Body).GetProperty("seen").GetString());
        Assert.Equal(scheduled.RequestId, function.Handler.LastRequestId);
        Assert.NotNull(function.Handler.LastDeadline);
    }

    [Fact]
    public async Task A_failing_handler_is_the_invocations_error_and_the_loop_goes_on()
    {
        await using var function = await HandlerFunction.StartAsync();

        var failed = await function.Runtime.InvokeAsync("\"boom\""u8.ToArray(), TimeSpan.FromSeconds(20));
        var next = await function.Runtime.InvokeAsync("{}"u8.ToArray(), TimeSpan.FromSeconds(20));

        Assert.Equal(InvocationStatus.FunctionError, failed.Status);
        Assert.Equal(nameof(InvalidOperationException), failed.ErrorType);
        Assert.Contains("boom", failed.BodyText, StringComparison.Ordinal);
        Assert.Equal(InvocationStatus.Success, next.Status);
    }

    [Fact]
    public async Task The_deadline_cancels_the_handler_before_lambda_would_stop_it()
    {
        await using var function = await HandlerFunction.StartAsync();
        var started = DateTimeOffset.UtcNow;

        // Deadline in 4 s, margin 1 s: the handler's token fires at about 3 s and it still answers in time.
        var result = await function.Runtime.InvokeAsync("\"wait\""u8.ToArray(), TimeSpan.FromSeconds(4));

        Assert.Equal(InvocationStatus.Success, result.Status);
        Assert.Equal("{\"cancelled\":true}", result.BodyText);
        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public void Off_lambda_nothing_is_registered()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());

        Assert.False(builder.UseLambdaInvocationHandlerWhenConfigured<RecordingHandler>());
        using var host = builder.Build();
        Assert.Empty(host.Services.GetServices<IHostedService>());
        Assert.Null(host.Services.GetService<ILambdaInvocationHandler>());
    }

    /// <summary>Answers with the event it saw; "boom" throws; "wait" waits for its token.</summary>
    private sealed class RecordingHandler : ILambdaInvocationHandler
    {
        public string? LastRequestId { get; private set; }

        public DateTimeOffset? LastDeadline { get; private set; }

        public async Task<byte[]> HandleAsync(LambdaEvent invocation, CancellationToken cancellationToken)
        {
            LastRequestId = invocation.RequestId;
            LastDeadline = invocation.Deadline;
            var text = Encoding.UTF8.GetString(invocation.Payload.Span);
            switch (text)
            {
                case "\"boom\"":
                    throw new InvalidOperationException("boom");
                case "\"wait\"":
                    try
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        return "{\"cancelled\":true}"u8.ToArray();
                    }

                    return [];
                default:
                    return Encoding.UTF8.GetBytes("{\"seen\":" + System.Text.Json.JsonSerializer.Serialize(text) + "}");
            }
        }
    }

    /// <summary>A host with the handler, on an emulated Runtime API.</summary>
    private sealed class HandlerFunction : IAsyncDisposable
    {
        private readonly IHost host;

        private HandlerFunction(IHost host, RuntimeApiEmulator runtime)
        {
            this.host = host;
            Runtime = runtime;
        }

        public RuntimeApiEmulator Runtime { get; }

        public RecordingHandler Handler => (RecordingHandler)host.Services.GetRequiredService<ILambdaInvocationHandler>();

        public static async Task<HandlerFunction> StartAsync()
        {
            var runtime = await RuntimeApiEmulator.StartAsync();
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [LambdaRuntimeSettings.RuntimeApiVariable] = runtime.RuntimeApi,
                ["POWERTOOLS_LOG_LEVEL"] = "Warning",
            });
            Assert.True(builder.UseLambdaInvocationHandlerWhenConfigured<RecordingHandler>());
            var settings = builder.Services.Single(d => d.ServiceType == typeof(LambdaRuntimeSettings));
            builder.Services.Remove(settings);
            builder.Services.AddSingleton(((LambdaRuntimeSettings)settings.ImplementationInstance!) with { DeadlineMargin = TimeSpan.FromSeconds(1) });
            var host = builder.Build();
            await host.StartAsync();
            return new HandlerFunction(host, runtime);
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
            await Runtime.DisposeAsync();
        }
    }
}
