using OpenTelemetry.Metrics;

namespace Users.Functions.Telemetry;

/// <summary>
/// On Lambda, writes the invocation's metrics as EMF before the function is frozen: the environment may never run
/// again, so nothing may wait for a periodic export. ASP.NET Core records <c>http.server.request.duration</c> only after
/// the pipeline has returned, so that one measurement is written with the next invocation (or at shutdown).
/// </summary>
internal sealed class EmfFlushMiddleware(IServiceProvider services)
{
    private MeterProvider? provider;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        finally
        {
            provider ??= services.GetService<MeterProvider>();
            provider?.ForceFlush(timeoutMilliseconds: 1_000);
        }
    }
}
