using System.Buffers;
using Users.Core.Domain;
using Users.Core.UseCases;
using Users.Functions.Settings;

namespace Users.Functions.Endpoints;

/// <summary>
/// <c>GET /users</c> without a limit: every user as one JSON array, written page by page as the Scan returns them
/// (shared with the other lists of this instance, <see cref="SharedUserList"/>), so the service's memory does not grow
/// with the table.
/// <list type="bullet">
/// <item>A failure before the first page is a 503 problem like any other. A failure after the array has started
/// aborts the response (the connection is reset, the chunked body never ends): no client can mistake a truncated
/// array for the whole list.</item>
/// <item>Each page gets the full request timeout, so a large table is not cut by the per-request bound; writing
/// to the client is bounded by the connection's own limits, not by that timeout.</item>
/// <item>When the whole list is known before its first byte (one Scan page, a snapshot, or a list bounded in bytes),
/// it carries an <c>ETag</c>, and a request whose <c>If-None-Match</c> names it is answered 304 with no body.</item>
/// <item>With <c>LIST_MAX_RESPONSE_BYTES</c> (set on Lambda, whose response payload is at most 6 MB), the array is
/// built in memory up to that size; a list that does not fit ends early with a <c>Link: &lt;…&gt;; rel="next"</c>
/// header to the rest, exactly as a page of <c>?limit=</c> does.</item>
/// </list>
/// </summary>
internal sealed partial class UserListResult(SharedUserList lists, ListUsers listUsers, ApiOptions options, string? ifNoneMatch) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        await using var list = lists.Subscribe(deadline.Token);

        // The first page decides the status: a failure here is answered 503 by the exception handler.
        var page = await NextPageAsync(list, deadline);
        var response = httpContext.Response;
        response.Headers.CacheControl = "no-cache";
        if (options.ListMaxResponseBytes > 0)
        {
            await WriteBoundedAsync(httpContext, list, page, deadline);
            return;
        }

        if (list.ETag is { } etag && NotModified(response, etag))
        {
            return;
        }

        StartJson(response);
        var body = response.BodyWriter;
        var any = false;
        body.Write("["u8);
        try
        {
            while (page is not null)
            {
                // One write per page, straight from the bytes the pass serialized once for every list sharing it;
                // the response starts at the first flush. Writing is bounded by the client's connection (Kestrel's
                // minimum response data rate), not by the storage deadline: a slow but honest reader is not cut off.
                foreach (var chunk in page.Chunks)
                {
                    if (any)
                    {
                        body.Write(","u8);
                    }

                    body.Write(chunk.Json);
                    any = true;
                }

                if ((await body.FlushAsync(httpContext.RequestAborted)).IsCompleted)
                {
                    return; // the client has gone: reading more pages would be for nobody
                }

                page = page.NextCursor is null ? null : await NextPageAsync(list, deadline);
            }

            body.Write("]"u8);
            await body.FlushAsync(httpContext.RequestAborted);
        }
        catch (Exception ex) when (response.HasStarted && (ex is StorageUnavailableException or OperationCanceledException))
        {
            // Part of the array is out: the status cannot change any more. Reset the connection instead of ending
            // the body, so the client sees a failed transfer rather than a shorter list.
            var logger = Logger(httpContext);
            LogAborted(logger, ex.Message);
            httpContext.Abort();
        }
    }

    /// <summary>The list up to <c>LIST_MAX_RESPONSE_BYTES</c>, in memory (it is sent whole), tagged, with a Link to the rest when cut.</summary>
    private async Task WriteBoundedAsync(HttpContext httpContext, ListSubscription list, ListPage? page, CancellationTokenSource deadline)
    {
        var budget = options.ListMaxResponseBytes;
        var body = new ArrayBufferWriter<byte>((int)Math.Min(budget, 64 * 1024));
        body.Write("["u8);
        User? last = null;
        string? link = null;
        while (page is not null && link is null)
        {
            foreach (var chunk in page.Chunks)
            {
                var start = 0;
                for (var i = 0; i < chunk.Ends.Length; i++)
                {
                    var item = chunk.Json.AsSpan(start, chunk.Ends[i] - start);
                    var comma = last is null ? 0 : 1;

                    // "[" + items with their commas + "]": stop before the one that would cross the budget.
                    if (body.WrittenCount + comma + item.Length + 1 > budget && last is not null)
                    {
                        var next = $"{httpContext.Request.PathBase}{httpContext.Request.Path}?limit={ListUsers.MaxLimit}&cursor={Uri.EscapeDataString(listUsers.CursorAfter(last))}";
                        link = $"<{next}>; rel=\"next\"";
                        var logger = Logger(httpContext);
                        LogCutShort(logger, budget);
                        break;
                    }

                    if (comma == 1)
                    {
                        body.Write(","u8);
                    }

                    body.Write(item);
                    last = chunk.Users[i];
                    start = chunk.Ends[i] + 1; // past the comma between two items
                }

                if (link is not null)
                {
                    break;
                }
            }

            page = link is null && page.NextCursor is not null ? await NextPageAsync(list, deadline) : null;
        }

        body.Write("]"u8);
        var response = httpContext.Response;
        if (link is not null)
        {
            response.Headers.Link = link;
        }

        if (NotModified(response, EntityTags.Of(body.WrittenSpan, link)))
        {
            return;
        }

        StartJson(response);
        await response.BodyWriter.WriteAsync(body.WrittenMemory, httpContext.RequestAborted);
    }

    /// <summary>Tags the response with <paramref name="etag"/>; a 304 without a body (true) when the client holds it already.</summary>
    private bool NotModified(HttpResponse response, string etag)
    {
        response.Headers.ETag = etag;
        if (!EntityTags.Matches(ifNoneMatch, etag))
        {
            return false;
        }

        response.StatusCode = StatusCodes.Status304NotModified;
        return true;
    }

    private static void StartJson(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
    }

    /// <summary>The next page within the request timeout; the timer runs only while a page is being waited for.</summary>
    private async ValueTask<ListPage?> NextPageAsync(ListSubscription list, CancellationTokenSource deadline)
    {
        deadline.CancelAfter(options.RequestTimeout);
        var page = await list.NextAsync();
        deadline.CancelAfter(Timeout.InfiniteTimeSpan);
        return page;
    }

    private static ILogger Logger(HttpContext httpContext) => httpContext.RequestServices.GetRequiredService<ILogger<UserListResult>>();

    [LoggerMessage(Level = LogLevel.Warning, Message = "GET /users aborted after its first bytes: {Reason}")]
    private static partial void LogAborted(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "GET /users cut at {Budget} bytes (LIST_MAX_RESPONSE_BYTES): the rest is behind its Link header")]
    private static partial void LogCutShort(ILogger logger, long budget);
}
