using System.Runtime.CompilerServices;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Core.UseCases;

namespace Users.Core.Tests;

public class ListUsersTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public async Task Rejects_limits_out_of_range(int limit) =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new ListUsers(new OneUser(), new SigningAvatars()).HandleAsync(limit, null, default));

    [Fact]
    public async Task Hands_readers_the_avatar_store_read_url()
    {
        var page = await new ListUsers(new OneUser(), new SigningAvatars()).HandleAsync(null, null, default);

        Assert.Equal("https://x/avatars/a.png?signed", Assert.Single(page.Users).AvatarUrl);
    }

    [Fact]
    public async Task Streams_every_page_as_the_store_returns_it_with_read_urls()
    {
        var listUsers = new ListUsers(new OneUser(), new SigningAvatars());
        var pages = new List<UserPage>();
        await foreach (var page in listUsers.StreamAllAsync(null, default))
        {
            pages.Add(page);
        }

        Assert.Equal([1, 2], pages.Select(p => p.Users.Count));
        Assert.Equal(["https://x/avatars/a.png?signed", "https://x/avatars/b.png?signed", "https://x/avatars/c.png?signed"], pages.SelectMany(p => p.Users).Select(u => u.AvatarUrl));
        Assert.Equal(["after:a@example.com", null], pages.Select(p => p.NextCursor));
        Assert.Equal("after:b@example.com", listUsers.CursorAfter(pages[1].Users[0]));
    }

    [Fact]
    public async Task Streams_from_a_cursor_when_given_one()
    {
        var listUsers = new ListUsers(new OneUser(), new SigningAvatars());
        var emails = new List<string>();
        await foreach (var page in listUsers.StreamAllAsync("after:a@example.com", default))
        {
            emails.AddRange(page.Users.Select(u => u.Email));
        }

        Assert.Equal(["b@example.com", "c@example.com"], emails);
    }

    [Fact]
    public async Task Public_urls_keep_the_stored_user()
    {
        var stored = new User("A", "a@example.com", "https://x/avatars/a.png");
        var listUsers = new ListUsers(new FakeUsers { Stored = { stored } }, new FakeAvatars());
        await foreach (var page in listUsers.StreamAllAsync(null, default))
        {
            Assert.Same(stored, Assert.Single(page.Users));
        }
    }

    private sealed class OneUser : IUserRepository
    {
        public Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<UserPage> ListAsync(int? limit, string? cursor, CancellationToken cancellationToken) =>
            Task.FromResult(new UserPage([new User("A", "a@example.com", "https://x/avatars/a.png")], null));

        public async IAsyncEnumerable<UserPage> ScanAllAsync(string? after, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (after is null)
            {
                yield return new UserPage([new User("A", "a@example.com", "https://x/avatars/a.png")], "after:a@example.com");
            }

            yield return new UserPage([new User("B", "b@example.com", "https://x/avatars/b.png"), new User("C", "c@example.com", "https://x/avatars/c.png")], null);
        }

        public string CursorAfter(User user) => "after:" + user.Email;

        public Task<User?> FindAsync(string email, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class SigningAvatars : IAvatarStore
    {
        public string NewKey(AvatarFormat format) => throw new NotSupportedException();

        public Task PutAsync(string key, ReadOnlyMemory<byte> content, AvatarFormat format, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public string StoredUrlFor(string key) => throw new NotSupportedException();

        public string ReadUrlFor(string storedUrl) => storedUrl + "?signed";

        public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
