using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Users.Lambda.Hosting.Marshalling;
using Users.Lambda.Hosting.Runtime;

namespace Users.Lambda.Hosting.Server;

/// <summary>Turns one invocation into one pass through the ASP.NET Core pipeline, and its response back into a payload.</summary>
internal sealed class InvocationProcessor<TContext>(IHttpApplication<TContext> application, ILogger logger, TimeSpan deadlineMargin, TimeProvider time)
    where TContext : notnull
{
    public async Task<InvocationOutcome> ProcessAsync(LambdaInvocation invocation, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(invocation.Payload);
        }
        catch (JsonException ex)
        {
            logger.LogWarning("Invocation {RequestId}: the event is not JSON ({Error})", invocation.RequestId, ex.Message);
            return InvocationOutcome.Failure(new LambdaError("InvalidEvent", "The event is not valid JSON: " + ex.Message, []));
        }

        using (document)
        {
            var shape = HttpEventShapes.Find(document.RootElement);
            if (shape is null)
            {
                logger.LogWarning("Invocation {RequestId}: not an HTTP event; this function only serves API Gateway HTTP events", invocation.RequestId);
                return InvocationOutcome.Failure(new LambdaError(
                    "UnsupportedEvent",
                    "This function serves API Gateway HTTP events (HTTP API payload 2.0 or REST API payload 1.0) only.",
                    []));
            }

            LambdaHttpRequest request;
            try
            {
                request = shape.ReadRequest(document.RootElement);
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException)
            {
                logger.LogWarning("Invocation {RequestId}: malformed {Shape} event ({Error})", invocation.RequestId, shape.Name, ex.Message);
                return InvocationOutcome.Failure(new LambdaError("InvalidEvent", $"Malformed {shape.Name} event: {ex.Message}", []));
            }

            var response = await RunPipelineAsync(request, invocation, stopping);
            return response is null
                ? InvocationOutcome.Failure(new LambdaError("UnhandledException", "The request failed after its response had started.", []))
                : InvocationOutcome.Success(shape.WriteResponse(response));
        }
    }

    private async Task<LambdaHttpResponse?> RunPipelineAsync(LambdaHttpRequest request, LambdaInvocation invocation, CancellationToken stopping)
    {
        // The deadline is the request's cancellation: RequestAborted fires shortly before Lambda would stop the function.
        using var deadline = RuntimeLoop.Deadline(invocation, deadlineMargin, time, stopping);
        using var features = new LambdaHttpFeatures(request, invocation, deadline.Token);
        var context = application.CreateContext(features.Features);
        Exception? failure = null;
        try
        {
            await application.ProcessRequestAsync(context);
        }
        catch (Exception ex)
        {
            failure = ex;
            logger.LogError(ex, "Invocation {RequestId}: unhandled exception in the request pipeline", invocation.RequestId);
        }

        try
        {
            if (failure is not null)
            {
                if (features.HasStarted)
                {
                    return null;
                }

                features.ResetResponse(StatusCodes.Status500InternalServerError);
            }

            await features.CompleteAsync();
            var response = new LambdaHttpResponse(features.StatusCode, features.ResponseHeaders, features.ResponseBody.ToArray());
            await features.FireOnCompletedAsync();
            return response;
        }
        finally
        {
            application.DisposeContext(context, failure);
        }
    }
}
