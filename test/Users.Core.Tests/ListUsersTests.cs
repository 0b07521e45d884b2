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

    private sealed class OneUser : IUserRepository
    {
        public Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<UserPage> ListAsync(int? limit, string? cursor, CancellationToken cancellationToken) =>
            Task.FromResult(new UserPage([new User("A", "a@example.com", "https://x/avatars/a.png")], null));

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
