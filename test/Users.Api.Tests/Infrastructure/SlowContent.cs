using System.Net;

namespace Users.Api.Tests.Infrastructure;

/// <summary>Sends the first bytes of a body, then waits for <see cref="Release"/> before sending the rest.</summary>
public sealed class SlowContent : HttpContent
{
    private readonly HttpContent inner;
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SlowContent(HttpContent inner)
    {
        this.inner = inner;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var bytes = await inner.ReadAsByteArrayAsync();
        await stream.WriteAsync(bytes.AsMemory(0, 16));
        await stream.FlushAsync();
        Started.TrySetResult();
        await release.Task;
        await stream.WriteAsync(bytes.AsMemory(16));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = inner.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
