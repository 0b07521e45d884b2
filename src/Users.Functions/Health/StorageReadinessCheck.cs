using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Functions.Settings;

namespace Users.Functions.Health;

/// <summary>
/// Ready when DynamoDB (DescribeTable) and S3 (HeadBucket) both answer within a bounded time. The result is
/// reused for a few seconds so that frequent probes do not become load on the dependencies.
/// </summary>
internal sealed partial class StorageReadinessCheck(
    IUserRepository users, IAvatarStore avatars, IOptions<ApiOptions> options, TimeProvider clock, ILogger<StorageReadinessCheck> logger) : IHealthCheck, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private (HealthCheckResult Result, DateTimeOffset Expires)? cached;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (Fresh() is { } hit)
        {
            return hit;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } raced)
            {
                return raced;
            }

            var result = await ProbeAsync(cancellationToken);
            cached = (result, clock.GetUtcNow() + options.Value.ReadinessCacheDuration);
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private HealthCheckResult? Fresh() =>
        cached is { } c && c.Expires > clock.GetUtcNow() ? c.Result : null;

    private async Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ReadinessTimeout);

        var dynamo = Probe("dynamodb", users.CheckAsync(timeout.Token));
        var s3 = Probe("s3", avatars.CheckAsync(timeout.Token));
        var results = await Task.WhenAll(dynamo, s3);

        var data = results.ToDictionary(r => r.Name, r => (object)(r.Error ?? "ok"));
        var failed = results.Where(r => r.Error is not null).Select(r => r.Name).ToList();
        return failed.Count == 0
            ? HealthCheckResult.Healthy("DynamoDB and S3 answer.", data)
            : HealthCheckResult.Unhealthy($"Not answering: {string.Join(", ", failed)}.", data: data);

        async Task<(string Name, string? Error)> Probe(string name, Task check)
        {
            try
            {
                await check;
                return (name, null);
            }
            catch (StorageUnavailableException ex) when (ex.Denial is { } denial)
            {
                LogDenied(logger, denial.Action, denial.Resource, denial.Principal);
                return (name, "denied");
            }
            catch (StorageUnavailableException)
            {
                return (name, "unavailable");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (name, "timed out");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Not ready: AWS refused {Action} on {Resource} to {Principal}; grant it (docs/iam.md)")]
    private static partial void LogDenied(ILogger logger, string action, string resource, string principal);
}
