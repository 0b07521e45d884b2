using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Users.Lambda.Hosting.Runtime;

namespace Users.Lambda.Hosting.Server;

/// <summary>
/// The IServer that replaces Kestrel under Lambda: instead of accepting connections it asks the Runtime API
/// for invocations, one after another, and runs each through the same ASP.NET Core pipeline.
/// </summary>
internal sealed partial class LambdaServer : IServer
{
    private readonly LambdaRuntimeSettings settings;
    private readonly IHostApplicationLifetime lifetime;
    private readonly ILogger<LambdaServer> logger;
    private readonly TimeProvider time;
    private readonly RuntimeApiClient client;
    private readonly CancellationTokenSource stopping = new();
    private Task loop = Task.CompletedTask;

    public LambdaServer(LambdaRuntimeSettings settings, IHostApplicationLifetime lifetime, ILogger<LambdaServer> logger, TimeProvider? time = null)
    {
        this.settings = settings;
        this.lifetime = lifetime;
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
        client = new RuntimeApiClient(settings.RuntimeApi);
        Features.Set<IServerAddressesFeature>(new ServerAddressesFeature());
    }

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        var processor = new InvocationProcessor<TContext>(application, logger, settings.DeadlineMargin, time);
        // Ask for work only once the whole host has started: a start-up failure must still be an init error.
        lifetime.ApplicationStarted.Register(() => loop = Task.Run(() => RunAsync(processor, stopping.Token)));
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
        client.Dispose();
    }

    private async Task RunAsync<TContext>(InvocationProcessor<TContext> processor, CancellationToken cancellationToken)
        where TContext : notnull
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

            await ServeAsync(processor, invocation, cancellationToken);
        }
    }

    private async Task ServeAsync<TContext>(InvocationProcessor<TContext> processor, LambdaInvocation invocation, CancellationToken cancellationToken)
        where TContext : notnull
    {
        LambdaInvocationContext.Begin(invocation);
        try
        {
            InvocationOutcome outcome;
            try
            {
                outcome = await processor.ProcessAsync(invocation, cancellationToken);
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
