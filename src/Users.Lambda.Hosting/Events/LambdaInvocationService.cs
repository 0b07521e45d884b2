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
    private readonly RuntimeLoop runtime = new(settings, logger, time ?? TimeProvider.System);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.StartWhenStarted(lifetime, HandleAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => runtime.StopAsync(cancellationToken);

    public void Dispose() => runtime.Dispose();

    private async Task<InvocationOutcome> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        using var deadline = RuntimeLoop.Deadline(invocation, settings.DeadlineMargin, clock, cancellationToken);
        var response = await handler.HandleAsync(new LambdaEvent(invocation.Payload, invocation.RequestId, invocation.Deadline, invocation.FunctionArn), deadline.Token);
        return InvocationOutcome.Success(response);
    }
}
