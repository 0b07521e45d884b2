using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Users.Functions.Health;

/// <summary>
/// Not ready from the moment shutdown starts (SIGTERM): load balancers probing <c>/health/ready</c> stop sending
/// new requests while the in-flight ones drain within <c>SHUTDOWN_TIMEOUT_SECONDS</c>.
/// </summary>
internal sealed class ShutdownReadinessCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("Shutting down.")
            : HealthCheckResult.Healthy("Serving."));
}
