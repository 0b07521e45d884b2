using Users.Core.Adapters.Aws;

namespace Users.Core.Tests;

public class AvatarUrlsTests
{
    [Fact]
    public void On_aws_the_url_is_virtual_hosted() =>
        Assert.Equal(
            "https://my-bucket.s3.eu-west-1.amazonaws.com/avatars/a.png",
            AvatarUrls.Stored(new AwsStorageOptions { BucketName = "my-bucket", Region = "eu-west-1" }, "avatars/a.png"));

    [Fact]
    public void With_an_endpoint_the_url_is_path_style() =>
        Assert.Equal(
            "http://127.0.0.1:4566/my-bucket/avatars/a.png",
            AvatarUrls.Stored(new AwsStorageOptions { BucketName = "my-bucket", ServiceUrl = new Uri("http://127.0.0.1:4566/") }, "avatars/a.png"));

    [Fact]
    public void A_public_base_url_wins()
    {
        var options = new AwsStorageOptions
        {
            ServiceUrl = new Uri("http://127.0.0.1:4566"),
            PublicBaseUrl = new Uri("https://cdn.example.com/static/"),
        };
        Assert.Equal("https://cdn.example.com/static/avatars/a.png", AvatarUrls.Stored(options, "avatars/a.png"));
    }

    [Theory]
    [InlineData("https://b.s3.us-east-1.amazonaws.com/avatars/abc.png", "avatars/abc.png")]
    [InlineData("http://127.0.0.1:4566/b/avatars/abc.jpg", "avatars/abc.jpg")]
    [InlineData("https://cdn.example.com/static/avatars/x%20y.gif", "avatars/x y.gif")]
    [InlineData("https://example.com/elsewhere/abc.png", null)]
    [InlineData("https://example.com/avatars/", null)]
    [InlineData("not a url", null)]
    public void Finds_the_key_in_a_stored_url(string url, string? key) => Assert.Equal(key, AvatarUrls.KeyOf(url));
}
