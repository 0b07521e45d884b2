using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Users.Core.UseCases;
using Users.Functions.Settings;

namespace Users.Functions.Endpoints;

/// <summary>
/// Where <c>GET /users</c> without a limit gets its pages: one Scan pass shared by every list on this instance that can
/// share it, or a recent snapshot, or (with <c>LIST_COALESCE=false</c>) a Scan of its own.
/// <list type="bullet">
/// <item><b>Single flight, never stale.</b> A list may only share a pass whose first Scan call is sent after the list's
/// request began, so a user registered before that request is in its answer. The first list starts a pass at once (lists
/// arriving before its first Scan call join it); lists that arrive while a pass runs gather for the next one, which
/// starts when the running pass ends (or when the first of them has waited <see cref="GatherLimit"/>: a long Scan of a
/// large table does not hold them longer). Under any concurrency an instance runs one pass per Scan's duration, not one
/// per request.</item>
/// <item><b>Memory stays bounded.</b> A pass serializes each page once (<see cref="ListPageSerializer"/>) and hands it to
/// every list sharing the pass, each of which may lag it by <see cref="SubscriberLag"/> pages; a list that falls further
/// behind (a slow client) is let go and finishes on a Scan of its own from where it was, so no client slows the others
/// and the pass holds a few pages, never the table.</item>
/// <item><b>Failures are shared as they would have come.</b> When a pass fails (DynamoDB down after the SDK's retries, a
/// page over the request timeout), every list on it fails as a lone list would at that point: a 503 if its response has
/// not started, a reset connection if it has (never a shorter array). Lists gathering for the next pass are not
/// affected; they get a pass of their own.</item>
/// <item><b>Snapshot</b> (<c>LIST_SNAPSHOT_SECONDS</c> &gt; 0): a pass that completes with at most
/// <see cref="SnapshotMaxBytes"/> of JSON is served again, without a Scan, to lists that arrive within that many seconds
/// of its start: a list then reflects the table as of at most that long before the request. A registration on this
/// instance discards it (and keeps a pass already running from becoming one), so a client of this instance sees its
/// own registration at once; registrations on other instances show within the window.</item>
/// </list>
/// An entity tag is known before the first byte when the whole list is: a list of one Scan page (up to
/// <c>SCAN_PAGE_SIZE</c> users) or a snapshot (<see cref="ListSubscription.ETag"/>).
/// </summary>
internal sealed partial class SharedUserList : IDisposable
{
    /// <summary>The largest list kept as a snapshot (≈27,000 users of 150 bytes).</summary>
    public const long SnapshotMaxBytes = 4 * 1024 * 1024;

    /// <summary>Pages a list sharing a pass may lag it before it is let go to finish on its own Scan.</summary>
    internal const int SubscriberLag = 4;

    /// <summary>The longest a list waits for the running pass to end before the next pass starts anyway.</summary>
    internal static readonly TimeSpan GatherLimit = TimeSpan.FromSeconds(1);

    private readonly ListUsers listUsers;
    private readonly ApiOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<SharedUserList> logger;
    private readonly Lock gate = new();
    private ListFlight? gathering;
    private ListFlight? opening;
    private ITimer? gatherTimer;
    private int running;
    private long generation;
    private Snapshot? snapshot;

    public SharedUserList(ListUsers listUsers, IOptions<ApiOptions> options, IOptions<JsonOptions> json, TimeProvider clock, ILogger<SharedUserList> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(json);
        this.listUsers = listUsers;
        this.options = options.Value;
        this.clock = clock;
        this.logger = logger;
        var serializer = json.Value.SerializerOptions;
        Serializer = new ListPageSerializer((JsonTypeInfo<UserResponse>)serializer.GetTypeInfo(typeof(UserResponse)), serializer.Encoder);
    }

    internal ListPageSerializer Serializer { get; }

    internal ListUsers ListUsers => listUsers;

    internal TimeSpan PageTimeout => options.RequestTimeout;

    /// <summary>Scan passes started by shared lists (not counting lists that finished on a Scan of their own).</summary>
    internal long PassesStarted { get; private set; }

    /// <summary>
    /// The pages of one list, for a request that began before this call. <paramref name="cancellationToken"/> ends the
    /// wait for a page (the request's deadline); the pass goes on for the other lists sharing it.
    /// </summary>
    public ListSubscription Subscribe(CancellationToken cancellationToken)
    {
        if (!options.ListCoalesce)
        {
            return new OwnScanSubscription(this, after: null, cancellationToken);
        }

        ListFlight? start;
        FlightSubscription subscription;
        lock (gate)
        {
            if (snapshot is { } current && clock.GetUtcNow() - current.StartedAt < options.ListSnapshotDuration)
            {
                return new SnapshotSubscription(current.Pages, current.ETag);
            }

            subscription = new FlightSubscription(this, cancellationToken);
            if (opening is not null)
            {
                // Started, but its first Scan call is not sent yet: it reads the table after this request began.
                opening.Add(subscription);
                return subscription;
            }

            if (gathering is null)
            {
                gathering = new ListFlight(this, generation);
                if (running > 0)
                {
                    gatherTimer = clock.CreateTimer(static state => ((SharedUserList)state!).GatherLimitReached(), this, GatherLimit, Timeout.InfiniteTimeSpan);
                }
            }

            gathering.Add(subscription);
            start = running == 0 ? TakeGathering() : null;
        }

        start?.Start();
        return subscription;
    }

    /// <summary>A pass is about to send its first Scan call: from now on, new lists gather for the next one.</summary>
    internal void Closing(ListFlight flight)
    {
        lock (gate)
        {
            if (opening == flight)
            {
                opening = null;
            }
        }
    }

    /// <summary>A registration on this instance: the next list must include it, so no snapshot taken before it is served.</summary>
    public void Invalidate()
    {
        lock (gate)
        {
            generation++;
            snapshot = null;
        }
    }

    /// <summary>A pass has ended; its pages become the snapshot when it completed, kept them all and nothing was registered since it began.</summary>
    internal void Ended(ListFlight flight, IReadOnlyList<ListPage>? pages, string? etag, DateTimeOffset startedAt)
    {
        ListFlight? start;
        lock (gate)
        {
            running--;
            if (opening == flight)
            {
                opening = null;
            }

            if (pages is not null && flight.Generation == generation && options.ListSnapshotDuration > TimeSpan.Zero)
            {
                snapshot = new Snapshot(pages, etag!, startedAt);
            }

            start = running == 0 && gathering is not null ? TakeGathering() : null;
        }

        start?.Start();
    }

    internal bool KeepsSnapshots => options.ListSnapshotDuration > TimeSpan.Zero;

    internal void LogPassFailed(string reason) => LogFailed(logger, reason);

    internal DateTimeOffset Now => clock.GetUtcNow();

    private void GatherLimitReached()
    {
        ListFlight? start;
        lock (gate)
        {
            start = gathering is not null ? TakeGathering() : null;
        }

        start?.Start();
    }

    /// <summary>Under the gate: the gathering pass is about to start.</summary>
    private ListFlight TakeGathering()
    {
        var flight = gathering!;
        gathering = null;
        opening = flight;
        gatherTimer?.Dispose();
        gatherTimer = null;
        running++;
        PassesStarted++;
        return flight;
    }

    public void Dispose()
    {
        lock (gate)
        {
            gatherTimer?.Dispose();
            gatherTimer = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A shared GET /users Scan pass failed; every list on it fails as a lone list would: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);

    private sealed record Snapshot(IReadOnlyList<ListPage> Pages, string ETag, DateTimeOffset StartedAt);
}
