using Users.Core.UseCases;

namespace Users.Functions.Background;

/// <summary>
/// Runs the <see cref="AvatarReconciler"/>: every second, the entries that are due (none, almost always: then a tick
/// costs a lock and a count). After the server has drained its requests at shutdown, one last pass within
/// <see cref="DrainBudget"/>; what is still pending is logged with its key. On Lambda the loop only runs while an
/// invocation keeps the environment thawed, which is when failed registrations happen.
/// </summary>
internal sealed class AvatarReconcilerService(AvatarReconciler reconciler, TimeProvider clock) : BackgroundService, IHostedLifecycleService
{
    internal static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (reconciler.Pending > 0)
                {
                    await reconciler.RunDueAsync(stoppingToken);
                }
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
