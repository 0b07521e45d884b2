using Users.Core.UseCases;

namespace Users.Functions.Background;

/// <summary>
/// Runs the <see cref="AvatarReconciler"/>: sleeps until an entry is due or handed over (an idle service wakes for
/// nothing), then settles what is due. After the server has drained its requests at shutdown, one last pass within
/// <see cref="DrainBudget"/>; what is still pending is logged with its key. On Lambda the loop only runs while an
/// invocation keeps the environment thawed, which is when failed registrations happen.
/// </summary>
internal sealed class AvatarReconcilerService(AvatarReconciler reconciler, TimeProvider clock) : BackgroundService, IHostedLifecycleService
{
    internal static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Sleep until the earliest entry is due, or until one is handed over; with nothing pending, no timer runs.
                if (reconciler.NextDue is not { } due)
                {
                    await reconciler.WaitForWorkAsync(Timeout.InfiniteTimeSpan, stoppingToken);
                }
                else if (due - clock.GetUtcNow() is var wait && wait > TimeSpan.Zero)
                {
                    await reconciler.WaitForWorkAsync(wait, stoppingToken);
                }

                await reconciler.RunDueAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StoppedAsync takes the last pass.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After every hosted service (the server too) has stopped: no request can hand over more work.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (reconciler.Pending == 0)
        {
            return;
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(DrainBudget);
        await reconciler.DrainAsync(budget.Token);
    }
}
