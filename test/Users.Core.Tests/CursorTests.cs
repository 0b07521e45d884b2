using Users.Core.Adapters.Aws;
using Users.Core.Domain;

namespace Users.Core.Tests;

public class CursorTests
{
    [Theory]
    [InlineData("a@example.com")]
    [InlineData("first.last+tag@sub.example.co")]
    public void Round_trips(string email) =>
        Assert.Equal(email, DynamoDbUserRepository.DecodeCursor(DynamoDbUserRepository.EncodeCursor(email)));

    [Fact]
    public void Is_url_safe() =>
        Assert.Matches("^[A-Za-z0-9_-]+$", DynamoDbUserRepository.EncodeCursor("???>>>@example.com"));

    [Theory]
    [InlineData("not base64!")]
    [InlineData("YWJj")] // "abc": no version prefix
    [InlineData("dTE6")] // "u1:" and nothing after
    [InlineData("")]
    public void Rejects_cursors_it_did_not_issue(string cursor) =>
        Assert.Throws<InvalidCursorException>(() => DynamoDbUserRepository.DecodeCursor(cursor));
}
