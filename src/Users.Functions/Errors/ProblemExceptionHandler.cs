using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Users.Core.Domain;

namespace Users.Functions.Errors;

/// <summary>
/// The last word on exceptions: storage failures and timeouts become 503 with Retry-After, bad HTTP input its
/// own 4xx, anything else 500. Clients get problem details only; the exception goes to the log, never the body.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        int status;
        switch (exception)
        {
            case StorageUnavailableException { Denial: { } denial } denied:
                // Still 503 + Retry-After for the client, but an operator's fault: said at Error, with what to grant.
                status = StatusCodes.Status503ServiceUnavailable;
                LogDenied(logger, denial.Action, denial.Resource, denial.Principal, denied.Dependency);
                break;
            case StorageUnavailableException unavailable:
                status = StatusCodes.Status503ServiceUnavailable;
                LogDependencyFailure(logger, unavailable.Dependency, unavailable.Message);
                break;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                // The client went away: nobody is left to answer.
                LogClientAborted(logger);
                return true;
            case OperationCanceledException:
                status = StatusCodes.Status503ServiceUnavailable;
                LogDependencyFailure(logger, "storage", "timed out");
                break;
            case BadHttpRequestException badRequest:
                status = badRequest.StatusCode;
                LogBadRequest(logger, status, badRequest.Message);
                break;
            default:
                status = StatusCodes.Status500InternalServerError;
                LogUnhandled(logger, exception);
                break;
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.Clear();
        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = Problems.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = status },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dependency {Dependency} unavailable: {Reason}")]
    private static partial void LogDependencyFailure(ILogger logger, string dependency, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "AWS refused {Action} on {Resource} to {Principal}: the role lacks this permission ({Dependency}); grant it (docs/iam.md), retrying will not help")]
    private static partial void LogDenied(ILogger logger, string action, string resource, string principal, string dependency);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The client aborted the request")]
    private static partial void LogClientAborted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected request with {StatusCode}: {Reason}")]
    private static partial void LogBadRequest(ILogger logger, int statusCode, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
