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
        var pages = new List<IReadOnlyList<User>>();
        await foreach (var page in listUsers.StreamAllAsync(default))
        {
            pages.Add(page);
        }

        Assert.Equal([1, 2], pages.Select(p => p.Count));
        Assert.Equal(["https://x/avatars/a.png?signed", "https://x/avatars/b.png?signed", "https://x/avatars/c.png?signed"], pages.SelectMany(p => p).Select(u => u.AvatarUrl));
        Assert.Equal("after:b@example.com", listUsers.CursorAfter(pages[1][0]));
    }

    private sealed class OneUser : IUserRepository
    {
        public Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<UserPage> ListAsync(int? limit, string? cursor, CancellationToken cancellationToken) =>
            Task.FromResult(new UserPage([new User("A", "a@example.com", "https://x/avatars/a.png")], null));

        public async IAsyncEnumerable<IReadOnlyList<User>> ScanAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return [new User("A", "a@example.com", "https://x/avatars/a.png")];
            yield return [new User("B", "b@example.com", "https://x/avatars/b.png"), new User("C", "c@example.com", "https://x/avatars/c.png")];
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
