namespace Users.Api.Tests.Smoke;

/// <summary>How <c>SMOKE_BASE_URL</c> (<c>make smoke URL=…</c>) is read: the only part of the smoke suite that runs
/// differently against a deployment than in <c>make test</c>.</summary>
public sealed class SmokeTargetTests
{
    [Theory]
    [InlineData("https://api.example.com", "https://api.example.com/")]
    [InlineData("https://abc123.execute-api.eu-west-1.amazonaws.com/", "https://abc123.execute-api.eu-west-1.amazonaws.com/")]
    [InlineData(" http://127.0.0.1:18080 ", "http://127.0.0.1:18080/")]
    [InlineData("https://example.com/stage", "https://example.com/stage/")]
    public void A_base_url_keeps_its_path_and_ends_in_a_slash(string value, string expected)
    {
        var url = SmokeTarget.ParseBaseUrl(value);

        Assert.Equal(expected, url!.AbsoluteUri);
        Assert.Equal(expected + "users", new Uri(url, "users").AbsoluteUri);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Unset_means_a_local_instance(string? value) => Assert.Null(SmokeTarget.ParseBaseUrl(value));

    [Theory]
    [InlineData("api.example.com")]
    [InlineData("ftp://example.com/")]
    [InlineData("https://example.com/?limit=1")]
    [InlineData("/users")]
    public void Anything_else_is_refused_with_the_variable_named(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SmokeTarget.ParseBaseUrl(value));

        Assert.Contains($"SMOKE_BASE_URL='{value}' is not valid", error.Message, StringComparison.Ordinal);
    }
}
