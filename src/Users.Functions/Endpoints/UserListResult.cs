using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Users.Core.Domain;
using Users.Core.UseCases;
using Users.Functions.Settings;

namespace Users.Functions.Endpoints;

/// <summary>
/// <c>GET /users</c> without a limit: every user as one JSON array, written page by page as DynamoDB returns them,
/// so the service's memory does not grow with the table.
/// <list type="bullet">
/// <item>A failure before the first page is a 503 problem like any other. A failure after the array has started
/// aborts the response (the connection is reset, the chunked body never ends): no client can mistake a truncated
/// array for the whole list.</item>
/// <item>Each DynamoDB page gets the full request timeout, so a large table is not cut by the per-request bound; writing
/// to the client is bounded by the connection's own limits, not by that timeout.</item>
/// <item>With <c>LIST_MAX_RESPONSE_BYTES</c> (set on Lambda, whose response payload is at most 6 MB), the array is
/// built in memory up to that size; a list that does not fit ends early with a <c>Link: &lt;…&gt;; rel="next"</c>
/// header to the rest, exactly as a page of <c>?limit=</c> does.</item>
/// </list>
/// </summary>
internal sealed partial class UserListResult(ListUsers listUsers, ApiOptions options) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var serializer = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var typeInfo = (JsonTypeInfo<UserResponse>)serializer.GetTypeInfo(typeof(UserResponse));
        var budget = options.ListMaxResponseBytes;

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        await using var pages = listUsers.StreamAllAsync(deadline.Token).GetAsyncEnumerator(deadline.Token);

        // The first page decides the status: a failure here is answered 503 by the exception handler.
        var more = await NextPageAsync(pages, deadline);

        // Straight into the response's own pooled buffers (no copy of a page, nothing to grow per request); the
        // response starts at the first FlushAsync, once the status and headers below are set.
        var writerOptions = new JsonWriterOptions { Encoder = serializer.Encoder, SkipValidation = true };
        var body = httpContext.Response.BodyWriter;
        await using var json = new Utf8JsonWriter(body, writerOptions);
        json.WriteStartArray();

        // With a byte budget each item is serialized aside first, so its size is known before it is added.
        var streaming = budget <= 0;
        var item = streaming ? null : new ArrayBufferWriter<byte>(256);
        await using var one = item is null ? null : new Utf8JsonWriter(item, writerOptions);

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var logger = httpContext.RequestServices.GetRequiredService<ILogger<UserListResult>>();
        User? last = null;
        try
        {
            while (more)
            {
                foreach (var user in pages.Current)
                {
                    if (one is null || item is null)
                    {
                        JsonSerializer.Serialize(json, UserResponse.From(user), typeInfo);
                        continue;
                    }

                    item.ResetWrittenCount();
                    one.Reset();
                    JsonSerializer.Serialize(one, UserResponse.From(user), typeInfo);
                    one.Flush();

                    // "[" + items with their commas + "]": stop before the one that would cross the budget.
                    if (json.BytesCommitted + json.BytesPending + item.WrittenCount + 2 > budget && last is not null)
                    {
                        var next = $"{httpContext.Request.PathBase}{httpContext.Request.Path}?limit={ListUsers.MaxLimit}&cursor={Uri.EscapeDataString(listUsers.CursorAfter(last))}";
                        response.Headers.Link = $"<{next}>; rel=\"next\"";
                        LogCutShort(logger, budget);
                        more = false;
                        break;
                    }

                    json.WriteRawValue(item.WrittenSpan, skipInputValidation: true);
                    last = user;
                }

                if (streaming)
                {
                    // One write per DynamoDB page (up to 1 MB of items): memory holds a page, not the table.
                    // Writing is bounded by the client's connection (Kestrel's minimum response data rate), not by the
                    // storage deadline: a slow but honest reader of a long list is not cut off.
                    json.Flush();
                    if ((await body.FlushAsync(httpContext.RequestAborted)).IsCompleted)
                    {
                        return; // the client has gone: reading more pages would be for nobody
                    }
                }

                if (more)
                {
                    more = await NextPageAsync(pages, deadline);
                }
            }

            json.WriteEndArray();
            json.Flush();
            await body.FlushAsync(httpContext.RequestAborted);
        }
        catch (Exception ex) when (response.HasStarted && (ex is StorageUnavailableException or OperationCanceledException))
        {
            // Part of the array is out: the status cannot change any more. Reset the connection instead of ending
            // the body, so the client sees a failed transfer rather than a shorter list.
            LogAborted(logger, ex.Message);
            httpContext.Abort();
        }
    }

    /// <summary>The next DynamoDB page within the request timeout; the timer runs only while a page is being fetched.</summary>
    private async ValueTask<bool> NextPageAsync(IAsyncEnumerator<IReadOnlyList<User>> pages, CancellationTokenSource deadline)
    {
        deadline.CancelAfter(options.RequestTimeout);
        var more = await pages.MoveNextAsync();
        deadline.CancelAfter(Timeout.InfiniteTimeSpan);
        return more;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "GET /users aborted after its first bytes: {Reason}")]
    private static partial void LogAborted(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "GET /users cut at {Budget} bytes (LIST_MAX_RESPONSE_BYTES): the rest is behind its Link header")]
    private static partial void LogCutShort(ILogger logger, long budget);
}
