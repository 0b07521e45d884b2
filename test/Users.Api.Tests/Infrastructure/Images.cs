using System.Net.Http.Headers;

namespace Users.Api.Tests.Infrastructure;

/// <summary>Tiny real images of each accepted format, and the multipart forms that carry them.</summary>
public static class Images
{
    /// <summary>A complete 1×1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    /// <summary>A complete 1×1 GIF.</summary>
    public static readonly byte[] Gif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    /// <summary>The start of a JPEG (SOI + JFIF APP0): all the sniffer reads.</summary>
    public static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];

    /// <summary>A RIFF/WEBP header followed by a VP8L chunk header.</summary>
    public static readonly byte[] WebP = [.. "RIFF"u8, 0x1A, 0, 0, 0, .. "WEBPVP8L"u8, 0x0D, 0, 0, 0, 0x2F, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE, 0x07, 0x00];

    /// <summary>
    /// <see cref="Png"/> as a camera or an editor would send it: a tEXt chunk (with a CRC) after IHDR and an archive
    /// appended after IEND, both carrying <see cref="Secret"/>. Published, it must be exactly <see cref="Png"/>.
    /// </summary>
    public static readonly byte[] PngWithMetadata =
    [
        .. Png.AsSpan(0, 33), // signature, IHDR
        .. Convert.FromBase64String("AAAAE3RFWHRDb21tZW50AFNFQ1JFVC00MjQy9kOV2w=="), // tEXt Comment=SECRET-4242
        .. Png.AsSpan(33),
        .. "PK\u0003\u0004SECRET-4242"u8,
    ];

    public static readonly byte[] Secret = "SECRET-4242"u8.ToArray();

    /// <summary>A PNG signature and IHDR whose length runs past the end of the file.</summary>
    public static readonly byte[] TruncatedPng = [.. Png.AsSpan(0, 20)];

    public static readonly byte[] Svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>"u8.ToArray();

    /// <summary>A PNG signature followed by filler, exactly <paramref name="size"/> bytes long.</summary>
    public static byte[] PngOfSize(int size)
    {
        var bytes = new byte[size];
        Png.AsSpan(0, Math.Min(Png.Length, size)).CopyTo(bytes);
        return bytes;
    }

    public static MultipartFormDataContent Form(string? name, string? email, byte[]? avatar, string fileName = "face.png", string contentType = "image/png")
    {
        var form = new MultipartFormDataContent();
        if (name is not null)
        {
            form.Add(new StringContent(name), "name");
        }

        if (email is not null)
        {
            form.Add(new StringContent(email), "email");
        }

        if (avatar is not null)
        {
            var file = new ByteArrayContent(avatar);
            file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            form.Add(file, "avatar", fileName);
        }

        return form;
    }

    public static string UniqueEmail(string tag = "user") => $"{tag}-{Guid.NewGuid():N}@example.com";
}
