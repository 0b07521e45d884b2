using Users.Core.Domain;

namespace Users.Core.Tests;

public class AvatarFormatTests
{
    public static TheoryData<byte[], string> Recognised => new()
    {
        { [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D], "PNG" },
        { [0xFF, 0xD8, 0xFF, 0xE0], "JPEG" },
        { [0xFF, 0xD8, 0xFF, 0xDB], "JPEG" },
        { "GIF87a...."u8.ToArray(), "GIF" },
        { "GIF89a...."u8.ToArray(), "GIF" },
        { [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WEBPVP8 "u8], "WebP" },
    };

    [Theory]
    [MemberData(nameof(Recognised))]
    public void Detects_each_format_from_magic_bytes(byte[] content, string expected) =>
        Assert.Equal(expected, AvatarFormat.Detect(content)?.Name);

    public static TheoryData<byte[]> Rejected => new()
    {
        { "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray() },
        { "<?xml version=\"1.0\"?><svg/>"u8.ToArray() },
        { [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WAVEfmt "u8] },
        { "RIFF\0\0\0\0WEB"u8.ToArray() },
        { [0x89, 0x50, 0x4E, 0x47] },
        { [0xFF, 0xD8] },
        { "GIF88a"u8.ToArray() },
        { "%PDF-1.7"u8.ToArray() },
        { [] },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejects_everything_else(byte[] content) => Assert.Null(AvatarFormat.Detect(content));

    [Fact]
    public void Each_format_has_a_content_type_and_extension()
    {
        Assert.Equal(["image/png", "image/jpeg", "image/gif", "image/webp"], AvatarFormat.All.Select(f => f.ContentType));
        Assert.Equal(["png", "jpg", "gif", "webp"], AvatarFormat.All.Select(f => f.Extension));
    }
}
