using System.Threading.Channels;

namespace Users.Functions.Endpoints;

/// <summary>
/// One Scan pass shared by the lists that gathered for it (<see cref="SharedUserList"/>): it reads the table page by page,
/// serializes each page once and offers it to every list on it, never waiting for one. It runs on its own (no request's
/// context flows into it) and stops when the last list on it has gone.
/// </summary>
internal sealed class ListFlight(SharedUserList owner, long generation) : IDisposable
{
    private readonly Lock gate = new();
    private readonly List<FlightSubscription> subscribers = [];
    private readonly CancellationTokenSource stop = new();
    private bool closed;
    private bool ended;

    /// <summary>Registrations counted when the pass was created: a later one keeps it from becoming a snapshot.</summary>
    public long Generation => generation;

    /// <summary>The whole list's tag, set before its first page is offered when that page is also its last.</summary>
    public string? FirstPageETag { get; private set; }

    public void Add(FlightSubscription subscription)
    {
        lock (gate)
        {
            subscribers.Add(subscription);
        }

        subscription.Join(this);
    }

    /// <summary>A list has gone (ended, failed, or its client left); the last one to go stops the pass.</summary>
    public void Remove(FlightSubscription subscription)
    {
        lock (gate)
        {
            if (subscribers.Remove(subscription) && subscribers.Count == 0 && closed && !ended)
            {
                stop.Cancel();
            }
        }
    }

    public void Start()
    {
        // Not the triggering request's context: its Activity, its cancellation and its logging scope are not the pass's.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var startedAt = owner.Now;
        List<ListPage>? kept = owner.KeepsSnapshots ? [] : null;
        long keptBytes = 0;
        var hash = new ListBodyHash();
        string? before = null, etag = null;
        var first = true;
        Exception? failure = null;
        try
        {
            // No list joins once the first Scan call may be sent; one that left before then is not waited for.
            owner.Closing(this);
            lock (gate)
            {
                closed = true;
                if (subscribers.Count == 0)
                {
                    stop.Cancel(); // every list left before the pass began
                }
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            await using var pages = owner.ListUsers.StreamAllAsync(null, deadline.Token).GetAsyncEnumerator(deadline.Token);
            while (true)
            {
                // Each page within the request timeout, as a lone list's page would be.
                deadline.CancelAfter(owner.PageTimeout);
                var more = await pages.MoveNextAsync();
                deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                if (!more)
                {
                    break;
                }

                var page = owner.Serializer.Serialize(pages.Current);
                hash.Append(page);
                if (page.NextCursor is null)
                {
                    etag = hash.Complete();
                    if (first)
                    {
                        FirstPageETag = etag;
                    }
                }

                Offer(page, before);
                before = page.NextCursor;
                first = false;
                if (kept is not null)
                {
                    keptBytes += page.Bytes;
                    kept = keptBytes <= SharedUserList.SnapshotMaxBytes ? kept : null;
                    kept?.Add(page);
                }

                if (page.NextCursor is null)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            if (!stop.IsCancellationRequested)
            {
                owner.LogPassFailed(ex is OperationCanceledException ? "a page took longer than the request timeout" : ex.Message);
            }
        }
        finally
        {
            // The snapshot first, then the lists learn that the pass is over: the next list finds it.
            owner.Ended(this, failure is null ? kept : null, etag, startedAt);
            lock (gate)
            {
                ended = true;
                foreach (var subscriber in subscribers)
                {
                    subscriber.Complete(failure);
                }

                subscribers.Clear();
            }

            Dispose();
        }
    }

    /// <summary>Once the pass has ended (under the gate, so a list leaving late does not cancel a disposed source).</summary>
    public void Dispose()
    {
        lock (gate)
        {
            ended = true;
            stop.Dispose();
        }
    }

    /// <summary>The page to every list on the pass; a list whose lag is full is let go, to resume after <paramref name="before"/>.</summary>
    private void Offer(ListPage page, string? before)
    {
        lock (gate)
        {
            for (var i = subscribers.Count - 1; i >= 0; i--)
            {
                if (!subscribers[i].TryOffer(page))
                {
                    subscribers[i].LetGo(before);
                    subscribers.RemoveAt(i);
                }
            }

            if (subscribers.Count == 0)
            {
                stop.Cancel();
            }
        }
    }
}

/// <summary>The pages of one <c>GET /users</c>: see <see cref="SharedUserList"/>.</summary>
internal abstract class ListSubscription : IAsyncDisposable
{
    /// <summary>The whole list's entity tag, when it is known once the first page is in (null otherwise: the list is streamed untagged).</summary>
    public string? ETag { get; protected set; }

    /// <summary>The next page, or null after the last.</summary>
    public abstract ValueTask<ListPage?> NextAsync();

    public abstract ValueTask DisposeAsync();
}

/// <summary>A list on a Scan of its own, from the start or from a cursor (<c>LIST_COALESCE=false</c>, or a list let go by its pass).</summary>
internal sealed class OwnScanSubscription(SharedUserList owner, string? after, CancellationToken cancellationToken) : ListSubscription
{
    private readonly IAsyncEnumerator<Core.Domain.UserPage> pages = owner.ListUsers.StreamAllAsync(after, cancellationToken).GetAsyncEnumerator(cancellationToken);
    private ListBodyHash? hash = after is null ? new ListBodyHash() : null;

    public override async ValueTask<ListPage?> NextAsync()
    {
        if (!await pages.MoveNextAsync())
        {
            return null;
        }

        var page = owner.Serializer.Serialize(pages.Current);
        if (hash is not null)
        {
            // Only a list that is one page long is tagged: it is whole before its first byte.
            if (page.NextCursor is null)
            {
                hash.Append(page);
                ETag = hash.Complete();
            }

            hash = null;
        }

        return page;
    }

    public override ValueTask DisposeAsync() => pages.DisposeAsync();
}

/// <summary>A list served from a snapshot (<c>LIST_SNAPSHOT_SECONDS</c>): no Scan, tagged.</summary>
internal sealed class SnapshotSubscription : ListSubscription
{
    private readonly IReadOnlyList<ListPage> pages;
    private int next;

    public SnapshotSubscription(IReadOnlyList<ListPage> pages, string etag)
    {
        this.pages = pages;
        ETag = etag;
    }

    public override ValueTask<ListPage?> NextAsync() => ValueTask.FromResult(next < pages.Count ? pages[next++] : null);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A list sharing a pass: the pages the pass offers it, at most <see cref="SharedUserList.SubscriberLag"/> ahead of it.</summary>
internal sealed class FlightSubscription(SharedUserList owner, CancellationToken cancellationToken) : ListSubscription
{
    private readonly Channel<ListPage> pages = Channel.CreateBounded<ListPage>(
        new BoundedChannelOptions(SharedUserList.SubscriberLag) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private ListFlight? flight;
    private bool letGo;
    private string? resumeAfter;
    private bool received;
    private OwnScanSubscription? own;

    public void Join(ListFlight joined) => flight = joined;

    public bool TryOffer(ListPage page) => pages.Writer.TryWrite(page);

    public void Complete(Exception? failure) => pages.Writer.TryComplete(failure);

    /// <summary>Too far behind: after the pages it holds, it goes on with a Scan of its own from <paramref name="after"/>.</summary>
    public void LetGo(string? after)
    {
        resumeAfter = after;
        letGo = true;
        pages.Writer.TryComplete();
    }

    public override async ValueTask<ListPage?> NextAsync()
    {
        if (own is not null)
        {
            return await own.NextAsync();
        }

        while (await pages.Reader.WaitToReadAsync(cancellationToken))
        {
            if (pages.Reader.TryRead(out var page))
            {
                if (!received && page.NextCursor is null)
                {
                    ETag = flight?.FirstPageETag;
                }

                received = true;
                return page;
            }
        }

        if (!letGo)
        {
            return null;
        }

        own = new OwnScanSubscription(owner, resumeAfter, cancellationToken);
        return await own.NextAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        flight?.Remove(this);
        if (own is not null)
        {
            await own.DisposeAsync();
        }
    }
}
