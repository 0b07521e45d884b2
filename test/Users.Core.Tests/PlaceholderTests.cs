namespace Users.Core.Tests;

public class PlaceholderTests
{
    [Fact]
    public void Builds() => Assert.NotNull(typeof(Placeholder).FullName);
}
