using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Users.Lambda.Hosting.Runtime;

namespace Users.Lambda.Hosting.Events;

/// <summary>
/// The Runtime API loop of a function that is not an HTTP API: every invocation goes to the app's
/// <see cref="ILambdaInvocationHandler"/>, with a token cancelled shortly before its deadline. The loop starts only once the
/// host has started, so a start-up failure is still the init error.
/// </summary>
internal sealed class LambdaInvocationService(
    LambdaRuntimeSettings settings, ILambdaInvocationHandler handler, IHostApplicationLifetime lifetime, ILogger<LambdaInvocationService> logger, TimeProvider? time = null)
    : IHostedService, IDisposable
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly CancellationTokenSource stopping = new();
    private RuntimeLoop? runtime;
    private Task loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        runtime = new RuntimeLoop(settings, logger, clock);
        lifetime.ApplicationStarted.Register(() => loop = Task.Run(() => runtime.RunAsync(HandleAsync, stopping.Token)));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        try
        {
            await loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping was cut short by the host's shutdown timeout.
        }
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
        runtime?.Dispose();
    }

    private async Task<InvocationOutcome> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        using var deadline = RuntimeLoop.Deadline(invocation, settings.DeadlineMargin, clock, cancellationToken);
        var response = await handler.HandleAsync(new LambdaEvent(invocation.Payload, invocation.RequestId, invocation.Deadline, invocation.FunctionArn), deadline.Token);
        return InvocationOutcome.Success(response);
    }
}
