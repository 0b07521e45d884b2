using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Core.UseCases;
using Users.Functions.Endpoints;
using Users.Functions.Settings;

namespace Users.Api.Tests.Listing;

/// <summary>
/// <see cref="SharedUserList"/>'s rules on a table in memory whose Scan passes the tests hold and release: who shares a
/// pass, what a list sees of registrations, what a slow or failing pass does to the lists on it, the snapshot.
/// </summary>
public sealed class SharedUserListTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Lists_that_arrive_while_a_pass_runs_share_one_pass_and_each_gets_every_user()
    {
        var table = new GatedTable(pageSize: 2, users: 5);
        var holdFirstPass = table.Hold(pass: 0, page: 0);
        var lists = Lists(table);

        var first = ReadAllAsync(lists.Subscribe(default));
        await table.PassStarted(0).WaitAsync(Patience);
        var concurrent = Enumerable.Range(0, 8).Select(_ => ReadAllAsync(lists.Subscribe(default))).ToList();
        holdFirstPass.SetResult();

        var answers = await Task.WhenAll(concurrent).WaitAsync(Patience);
        Assert.Equal(table.Emails(), await first.WaitAsync(Patience));
        Assert.All(answers, answer => Assert.Equal(table.Emails(), answer));
        Assert.Equal(2, table.FullPasses); // the one running when they came, and one for all eight
        Assert.Equal(2, lists.PassesStarted);
    }

    [Fact]
    public async Task A_user_registered_before_a_list_began_is_in_its_answer_even_while_an_older_pass_runs()
    {
        var table = new GatedTable(pageSize: 10, users: 3);
        var hold = table.Hold(pass: 0, page: 0);
        var lists = Lists(table);

        var older = ReadAllAsync(lists.Subscribe(default));
        await table.PassStarted(0).WaitAsync(Patience); // the older pass has read its page
        table.Register("late@example.com");
        var newer = ReadAllAsync(lists.Subscribe(default));
        hold.SetResult();

        Assert.DoesNotContain("late@example.com", await older.WaitAsync(Patience));
        Assert.Contains("late@example.com", await newer.WaitAsync(Patience));
    }

    [Fact]
    public async Task Each_list_scans_on_its_own_when_coalescing_is_off()
    {
        var table = new GatedTable(pageSize: 2, users: 3);
        var hold = table.Hold(pass: 0, page: 0);
        var lists = Lists(table, new ApiOptions { ListCoalesce = false });

        var reads = Enumerable.Range(0, 3).Select(_ => ReadAllAsync(lists.Subscribe(default))).ToList();
        await table.PassStarted(0).WaitAsync(Patience);
        hold.SetResult();

        Assert.All(await Task.WhenAll(reads).WaitAsync(Patience), answer => Assert.Equal(table.Emails(), answer));
        Assert.Equal(3, table.FullPasses);
    }

    [Fact]
    public async Task A_list_that_falls_behind_is_let_go_and_finishes_on_its_own_scan_without_a_gap_or_a_repeat()
    {
        var table = new GatedTable(pageSize: 1, users: 12);
        var holdFirstPass = table.Hold(pass: 0, page: 0);
        var lists = Lists(table);
        var first = ReadAllAsync(lists.Subscribe(default));
        await table.PassStarted(0).WaitAsync(Patience);

        // Both gather for the second pass; the slow one reads nothing until the fast one has everything.
        await using var slow = lists.Subscribe(default);
        var fast = ReadAllAsync(lists.Subscribe(default));
        holdFirstPass.SetResult();
        Assert.Equal(table.Emails(), await fast.WaitAsync(Patience));

        Assert.Equal(table.Emails(), await ReadAllAsync(slow, dispose: false).WaitAsync(Patience));
        Assert.Equal(table.Emails(), await first.WaitAsync(Patience));
        Assert.Equal(2, table.FullPasses);
        Assert.Contains(SharedUserList.SubscriberLag.ToString(CultureInfo.InvariantCulture), table.Resumed); // the slow list, after the pages it held
    }

    [Fact]
    public async Task A_pass_that_fails_midway_fails_every_list_on_it_after_its_pages_and_not_the_lists_gathering_for_the_next()
    {
        var table = new GatedTable(pageSize: 1, users: 5) { FailPass = 0, FailPage = 2 };
        var hold = table.Hold(pass: 0, page: 0);
        var lists = Lists(table);

        await using var failing = lists.Subscribe(default);
        await table.PassStarted(0).WaitAsync(Patience);
        var follower = ReadAllAsync(lists.Subscribe(default));
        hold.SetResult();

        Assert.NotNull(await failing.NextAsync().AsTask().WaitAsync(Patience));
        Assert.NotNull(await failing.NextAsync().AsTask().WaitAsync(Patience));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => failing.NextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(table.Emails(), await follower.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_pass_stops_when_the_last_list_on_it_has_gone()
    {
        var table = new GatedTable(pageSize: 1, users: 3);
        var never = table.Hold(pass: 0, page: 1);
        var lists = Lists(table);

        var list = lists.Subscribe(default);
        Assert.NotNull(await list.NextAsync().AsTask().WaitAsync(Patience));
        await list.DisposeAsync();

        await table.PassCancelled(0).WaitAsync(Patience);
        Assert.False(never.Task.IsCompleted);
    }

    [Fact]
    public async Task A_list_waiting_for_its_page_gives_up_at_its_own_deadline_and_the_pass_goes_on_for_the_others()
    {
        var table = new GatedTable(pageSize: 1, users: 2);
        var hold = table.Hold(pass: 0, page: 0);
        var lists = Lists(table);
        using var deadline = new CancellationTokenSource();

        await using var impatient = lists.Subscribe(deadline.Token);
        var patient = ReadAllAsync(lists.Subscribe(default));
        var waiting = impatient.NextAsync().AsTask();
        await deadline.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));
        hold.SetResult();

        Assert.Equal(table.Emails(), await patient.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_list_of_one_page_is_tagged_with_the_hash_of_its_body_and_a_longer_one_is_not()
    {
        var onePage = Lists(new GatedTable(pageSize: 10, users: 3));
        var list = onePage.Subscribe(default);
        var body = await BodyAsync(list);
        Assert.Equal(EntityTags.Of(body, link: null), list.ETag);
        Assert.Matches("^\"[A-Za-z0-9_-]{22}\"$", list.ETag);

        var own = Lists(new GatedTable(pageSize: 10, users: 3), new ApiOptions { ListCoalesce = false }).Subscribe(default);
        Assert.Equal(EntityTags.Of(await BodyAsync(own), link: null), own.ETag);

        var longer = Lists(new GatedTable(pageSize: 2, users: 3)).Subscribe(default);
        await BodyAsync(longer);
        Assert.Null(longer.ETag);
    }

    [Fact]
    public async Task A_snapshot_serves_lists_for_its_seconds_without_a_scan_and_tags_them_and_a_registration_here_ends_it()
    {
        var table = new GatedTable(pageSize: 2, users: 5);
        var clock = new ManualClock();
        var lists = Lists(table, new ApiOptions { ListSnapshotDuration = TimeSpan.FromSeconds(5) }, clock);

        var body = await BodyAsync(lists.Subscribe(default));
        var again = lists.Subscribe(default);
        Assert.Equal(body, await BodyAsync(again));
        Assert.Equal(EntityTags.Of(body, link: null), again.ETag);
        Assert.Equal(1, table.FullPasses);

        clock.Advance(TimeSpan.FromSeconds(5));
        await BodyAsync(lists.Subscribe(default));
        Assert.Equal(2, table.FullPasses);
        await BodyAsync(lists.Subscribe(default));
        Assert.Equal(2, table.FullPasses);

        table.Register("new@example.com");
        lists.Invalidate();
        Assert.Contains("new@example.com", Emails(await BodyAsync(lists.Subscribe(default))));
        Assert.Equal(3, table.FullPasses);
    }

    [Fact]
    public async Task A_pass_that_began_before_a_registration_here_does_not_become_the_snapshot()
    {
        var table = new GatedTable(pageSize: 10, users: 2);
        var hold = table.Hold(pass: 0, page: 0);
        var lists = Lists(table, new ApiOptions { ListSnapshotDuration = TimeSpan.FromSeconds(60) });

        var older = BodyAsync(lists.Subscribe(default));
        await table.PassStarted(0).WaitAsync(Patience);
        table.Register("during@example.com");
        lists.Invalidate();
        hold.SetResult();
        await older.WaitAsync(Patience);

        Assert.Contains("during@example.com", Emails(await BodyAsync(lists.Subscribe(default))));
        Assert.Equal(2, table.FullPasses);
    }

    [Fact]
    public async Task A_list_larger_than_the_snapshot_bound_is_not_kept()
    {
        var table = new GatedTable(pageSize: 1000, users: (int)(SharedUserList.SnapshotMaxBytes / 60) + 1);
        var lists = Lists(table, new ApiOptions { ListSnapshotDuration = TimeSpan.FromSeconds(60) });

        Assert.True((await BodyAsync(lists.Subscribe(default))).Length > SharedUserList.SnapshotMaxBytes);
        await BodyAsync(lists.Subscribe(default));
        Assert.Equal(2, table.FullPasses);
    }

    [Fact]
    public void A_page_is_serialized_into_small_chunks_whose_items_join_into_the_json_of_the_list()
    {
        var users = Enumerable.Range(0, 1000).Select(i => new User($"User \"{i}\" <x>", $"u{i}@example.com", $"https://cdn.example/avatars/{i:D32}.png")).ToList();
        var serializer = Lists(new GatedTable(1, 0)).Serializer;
        var options = JsonOptions().SerializerOptions;

        var page = serializer.Serialize(new UserPage(users, "next"));

        Assert.True(page.Chunks.Count > 1);
        Assert.All(page.Chunks, chunk => Assert.InRange(chunk.Json.Length, 1, ListPageSerializer.ChunkBytes + 1024));
        Assert.Equal(users, page.Chunks.SelectMany(c => c.Users));
        Assert.Equal("next", page.NextCursor);
        var joined = "[" + string.Join(',', page.Chunks.Select(c => Encoding.UTF8.GetString(c.Json))) + "]";
        Assert.Equal(JsonSerializer.Serialize(users.Select(UserResponse.From).ToList(), options), joined);
        Assert.Equal(joined, Encoding.UTF8.GetString(serializer.SerializeArray(users)));
        foreach (var chunk in page.Chunks)
        {
            var start = 0;
            for (var i = 0; i < chunk.Ends.Length; i++)
            {
                var item = JsonDocument.Parse(chunk.Json.AsMemory(start, chunk.Ends[i] - start));
                Assert.Equal(chunk.Users[i].Email, item.RootElement.GetProperty("email").GetString());
                start = chunk.Ends[i] + 1;
            }
        }
    }

    [Theory]
    [InlineData("\"abc\"", true)]
    [InlineData("W/\"abc\"", true)]
    [InlineData("\"x\", \"abc\"", true)]
    [InlineData("*", true)]
    [InlineData("\"abd\"", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void If_none_match_is_compared_weakly(string? header, bool matches) =>
        Assert.Equal(matches, EntityTags.Matches(header, "\"abc\""));

    private static SharedUserList Lists(GatedTable table, ApiOptions? options = null, TimeProvider? clock = null)
    {
        return new SharedUserList(
            new ListUsers(table, new PublicUrls()), Options.Create(options ?? new ApiOptions()), Options.Create(JsonOptions()), clock ?? TimeProvider.System,
            NullLogger<SharedUserList>.Instance);
    }

    /// <summary>The JSON options as the app configures them (AddUserEndpoints), from ASP.NET Core's defaults.</summary>
    private static JsonOptions JsonOptions()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddUserEndpoints();
        using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        return Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IOptions<JsonOptions>>(provider).Value;
    }

    private static async Task<byte[]> BodyAsync(ListSubscription list)
    {
        await using (list)
        {
            var body = new List<byte> { (byte)'[' };
            var any = false;
            while (await list.NextAsync() is { } page)
            {
                foreach (var chunk in page.Chunks)
                {
                    if (any)
                    {
                        body.Add((byte)',');
                    }

                    body.AddRange(chunk.Json);
                    any = true;
                }
            }

            body.Add((byte)']');
            return [.. body];
        }
    }

    private static async Task<List<string>> ReadAllAsync(ListSubscription list, bool dispose = true)
    {
        var body = dispose ? await BodyAsync(list) : await BodyAsync(new Undisposed(list));
        return Emails(body);
    }

    private static List<string> Emails(byte[] body) =>
        [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(u => u.GetProperty("email").GetString()!)];

    /// <summary>Reads a subscription the test disposes itself.</summary>
    private sealed class Undisposed(ListSubscription inner) : ListSubscription
    {
        public override ValueTask<ListPage?> NextAsync() => inner.NextAsync();

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }

    private sealed class PublicUrls : IAvatarStore
    {
        public string NewKey(AvatarFormat format) => throw new NotSupportedException();

        public Task PutAsync(string key, ReadOnlyMemory<byte> content, AvatarFormat format, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public string StoredUrlFor(string key) => throw new NotSupportedException();

        public string ReadUrlFor(string storedUrl) => storedUrl;

        public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// A table that pages as a Scan does (the cursor is the next index), reads each page when it is asked for, and lets a
    /// test hold a given page of a given pass (counted from 0 over full passes) or fail it.
    /// </summary>
    private sealed class GatedTable : IUserRepository
    {
        private readonly int pageSize;
        private readonly List<User> users;
        private readonly Dictionary<(int Pass, int Page), TaskCompletionSource> holds = [];
        private readonly Dictionary<int, TaskCompletionSource> started = [];
        private readonly Dictionary<int, TaskCompletionSource> cancelled = [];
        private readonly Lock gate = new();
        private int passes;

        public GatedTable(int pageSize, int users)
        {
            this.pageSize = pageSize;
            this.users = [.. Enumerable.Range(0, users).Select(i => new User($"User {i}", $"user{i:D6}@example.com", $"https://x/avatars/{i}.png"))];
        }

        public int? FailPass { get; init; }

        public int? FailPage { get; init; }

        public int FullPasses => Volatile.Read(ref passes);

        public List<string> Resumed { get; } = [];

        public List<string> Emails()
        {
            lock (gate)
            {
                return [.. users.Select(u => u.Email)];
            }
        }

        public void Register(string email)
        {
            lock (gate)
            {
                users.Add(new User("Late", email, "https://x/avatars/late.png"));
            }
        }

        public TaskCompletionSource Hold(int pass, int page) => Signal(holds, (pass, page));

        public Task PassStarted(int pass) => Signal(started, pass).Task;

        public Task PassCancelled(int pass) => Signal(cancelled, pass).Task;

        public async IAsyncEnumerable<UserPage> ScanAllAsync(string? after, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var pass = -1;
            if (after is null)
            {
                pass = Interlocked.Increment(ref passes) - 1;
            }
            else
            {
                lock (gate)
                {
                    Resumed.Add(after);
                }
            }

            var start = after is null ? 0 : int.Parse(after, CultureInfo.InvariantCulture);
            for (var page = 0; ; page++)
            {
                User[] items;
                bool more;
                lock (gate)
                {
                    items = [.. users.Skip(start).Take(pageSize)];
                    more = start + items.Length < users.Count;
                }

                if (page == 0 && pass >= 0)
                {
                    Signal(started, pass).TrySetResult();
                }

                TaskCompletionSource? hold;
                lock (gate)
                {
                    holds.TryGetValue((pass, page), out hold);
                }

                if (hold is not null)
                {
                    try
                    {
                        await hold.Task.WaitAsync(cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        Signal(cancelled, pass).TrySetResult();
                        throw;
                    }
                }

                if (pass == FailPass && page == FailPage)
                {
                    throw new StorageUnavailableException("DynamoDB Scan failed (test)");
                }

                await Task.Yield();
                start += items.Length;
                yield return new UserPage(items, more ? start.ToString(CultureInfo.InvariantCulture) : null);
                if (!more)
                {
                    yield break;
                }
            }
        }

        public Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<UserPage> ListAsync(int? limit, string? cursor, CancellationToken cancellationToken) => throw new NotSupportedException();

        public string CursorAfter(User user) => throw new NotSupportedException();

        public Task<User?> FindAsync(string email, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private TaskCompletionSource Signal<TKey>(Dictionary<TKey, TaskCompletionSource> signals, TKey key)
            where TKey : notnull
        {
            lock (gate)
            {
                if (!signals.TryGetValue(key, out var signal))
                {
                    signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    signals[key] = signal;
                }

                return signal;
            }
        }
    }
}
