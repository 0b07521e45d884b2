using System.Diagnostics;

namespace Users.Functions.Http;

/// <summary>One access line per request: method, path (no query), status and duration in milliseconds.</summary>
internal sealed partial class AccessLogMiddleware(RequestDelegate next, ILogger<AccessLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2);
                var path = context.Request.PathBase.Add(context.Request.Path).ToString();
                LogRequest(logger, context.Request.Method, path, context.Response.StatusCode, elapsed);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} responded {Status} in {DurationMs} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, double durationMs);
}
