using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Users.Lambda.Hosting.Runtime;

namespace Users.Lambda.Hosting.Server;

/// <summary>
/// The IServer that replaces Kestrel under Lambda: instead of accepting connections it asks the Runtime API
/// for invocations, one after another (<see cref="RuntimeLoop"/>), and runs each through the same ASP.NET Core pipeline.
/// </summary>
internal sealed class LambdaServer : IServer
{
    private readonly LambdaRuntimeSettings settings;
    private readonly IHostApplicationLifetime lifetime;
    private readonly ILogger<LambdaServer> logger;
    private readonly TimeProvider time;
    private readonly RuntimeLoop runtime;

    public LambdaServer(LambdaRuntimeSettings settings, IHostApplicationLifetime lifetime, ILogger<LambdaServer> logger, TimeProvider? time = null)
    {
        this.settings = settings;
        this.lifetime = lifetime;
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
        runtime = new RuntimeLoop(settings, logger, this.time);
    }

    /// <summary>
    /// No <c>IServerAddressesFeature</c>: nothing listens on a port here, and with one the host would fill it from
    /// ASPNETCORE_URLS / HTTP_PORTS (set in the Lambda base images) and log a false "Now listening on".
    /// </summary>
    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        var processor = new InvocationProcessor<TContext>(application, logger, settings.DeadlineMargin, time);
        runtime.StartWhenStarted(lifetime, processor.ProcessAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => runtime.StopAsync(cancellationToken);

    public void Dispose() => runtime.Dispose();
}
