using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Users.Lambda.Hosting.Runtime;

/// <summary>What an invocation ends with: a response payload, or an error for <c>/error</c>.</summary>
internal sealed record InvocationOutcome(byte[]? Response, LambdaError? Error)
{
    public static InvocationOutcome Success(byte[] response) => new(response, null);

    public static InvocationOutcome Failure(LambdaError error) => new(null, error);
}

/// <summary>
/// The Runtime API loop, whatever serves the invocations (the HTTP pipeline's <c>LambdaServer</c>, or an
/// <see cref="Events.ILambdaInvocationHandler"/>): asks for the next invocation, hands it over, posts its outcome, and never
/// dies of a failed call (the Runtime API out of reach is retried with a short back-off).
/// </summary>
internal sealed partial class RuntimeLoop(LambdaRuntimeSettings settings, ILogger logger, TimeProvider time) : IDisposable
{
    private readonly RuntimeApiClient client = new(settings.RuntimeApi);
    private readonly CancellationTokenSource stopping = new();
    private Task loop = Task.CompletedTask;

    /// <summary>
    /// Runs the loop once the whole host has started (<see cref="IHostApplicationLifetime.ApplicationStarted"/>): a
    /// start-up failure must still be the init error, so no invocation is asked for before.
    /// </summary>
    public void StartWhenStarted(IHostApplicationLifetime lifetime, Func<LambdaInvocation, CancellationToken, Task<InvocationOutcome>> process)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        lifetime.ApplicationStarted.Register(() => loop = Task.Run(() => RunAsync(process, stopping.Token)));
    }

    /// <summary>Stops asking for invocations and waits for the one being served, within the host's shutdown timeout.</summary>
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

    public async Task RunAsync(Func<LambdaInvocation, CancellationToken, Task<InvocationOutcome>> process, CancellationToken cancellationToken)
    {
        LogServing(settings.RuntimeApi);
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            LambdaInvocation invocation;
            try
            {
                LambdaInvocationContext.MarkLoopStarted();
                invocation = await client.GetNextInvocationAsync(cancellationToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The Runtime API is out of reach: wait a little and ask again, the loop never dies.
                failures++;
                LogNextFailed(ex, failures);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 * failures)), time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            await ServeAsync(process, invocation, cancellationToken);
        }
    }

    /// <summary>A token cancelled <paramref name="margin"/> before the invocation's deadline, or when the host stops.</summary>
    public static CancellationTokenSource Deadline(LambdaInvocation invocation, TimeSpan margin, TimeProvider time, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(time);
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        if (invocation.Deadline is { } at)
        {
            var remaining = at - time.GetUtcNow() - margin;
            if (remaining <= TimeSpan.Zero)
            {
                deadline.Cancel();
            }
            else
            {
                deadline.CancelAfter(remaining);
            }
        }

        return deadline;
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
        client.Dispose();
    }

    private async Task ServeAsync(Func<LambdaInvocation, CancellationToken, Task<InvocationOutcome>> process, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        LambdaInvocationContext.Begin(invocation);
        try
        {
            InvocationOutcome outcome;
            try
            {
                outcome = await process(invocation, cancellationToken);
            }
            catch (Exception ex)
            {
                LogInvocationFailed(ex, invocation.RequestId);
                outcome = InvocationOutcome.Failure(LambdaError.FromException(ex));
            }

            try
            {
                if (outcome.Response is { } payload)
                {
                    await client.PostResponseAsync(invocation.RequestId, payload, CancellationToken.None);
                }
                else
                {
                    await client.PostErrorAsync(invocation.RequestId, outcome.Error!, CancellationToken.None);
                }
            }
            catch (Exception ex)
            {
                LogPostFailed(ex, invocation.RequestId);
                await TryPostErrorAsync(invocation.RequestId, ex);
            }
        }
        finally
        {
            LambdaInvocationContext.End();
        }
    }

    private async Task TryPostErrorAsync(string requestId, Exception exception)
    {
        try
        {
            await client.PostErrorAsync(requestId, LambdaError.FromException(exception), CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogPostFailed(ex, requestId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving Lambda invocations from the Runtime API at {RuntimeApi}")]
    private partial void LogServing(string runtimeApi);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not get the next invocation (attempt {Attempt})")]
    private partial void LogNextFailed(Exception exception, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invocation {RequestId} failed")]
    private partial void LogInvocationFailed(Exception exception, string requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not post the outcome of invocation {RequestId}")]
    private partial void LogPostFailed(Exception exception, string requestId);
}
