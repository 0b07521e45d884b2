namespace Users.Core.Domain;

/// <summary>An image format accepted for avatars, recognised by its magic bytes only.</summary>
public sealed record AvatarFormat(string Name, string ContentType, string Extension)
{
    public static readonly AvatarFormat Png = new("PNG", "image/png", "png");
    public static readonly AvatarFormat Jpeg = new("JPEG", "image/jpeg", "jpg");
    public static readonly AvatarFormat Gif = new("GIF", "image/gif", "gif");
    public static readonly AvatarFormat WebP = new("WebP", "image/webp", "webp");

    /// <summary>All accepted formats, for documentation and error messages.</summary>
    public static IReadOnlyList<AvatarFormat> All { get; } = [Png, Jpeg, Gif, WebP];

    /// <summary>The number of leading bytes <see cref="Detect"/> needs to recognise every format.</summary>
    public const int SignatureLength = 12;

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> JpegSignature => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> Gif87 => "GIF87a"u8;
    private static ReadOnlySpan<byte> Gif89 => "GIF89a"u8;
    private static ReadOnlySpan<byte> Riff => "RIFF"u8;
    private static ReadOnlySpan<byte> Webp => "WEBP"u8;

    /// <summary>
    /// Recognises the format from the file's first bytes, ignoring whatever the client claimed
    /// (Content-Type, file name). Returns <c>null</c> for anything else, SVG included.
    /// </summary>
    public static AvatarFormat? Detect(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith(PngSignature))
        {
            return Png;
        }

        if (content.StartsWith(JpegSignature))
        {
            return Jpeg;
        }

        if (content.StartsWith(Gif87) || content.StartsWith(Gif89))
        {
            return Gif;
        }

        // RIFF <4-byte little-endian size> WEBP
        if (content.Length >= 12 && content.StartsWith(Riff) && content.Slice(8, 4).SequenceEqual(Webp))
        {
            return WebP;
        }

        return null;
    }
}
