namespace Users.Core.Domain;

/// <summary>What stripping an avatar's metadata gave: the image to publish, or why its structure could not be followed.</summary>
public abstract record AvatarStripResult
{
    private AvatarStripResult()
    {
    }

    /// <param name="Image">The image without its metadata: the input itself when there was nothing to remove.</param>
    /// <param name="RemovedBytes">How many bytes were left out (metadata, and anything after the image's end).</param>
    public sealed record Stripped(ReadOnlyMemory<byte> Image, int RemovedBytes) : AvatarStripResult;

    /// <param name="Reason">What is wrong, for the client (e.g. "a chunk runs past the end of the file").</param>
    public sealed record Malformed(string Reason) : AvatarStripResult;
}

/// <summary>
/// Publishes pixels only: removes from an avatar everything a decoder does not need to show it, by walking the
/// container's own structure (PNG chunks, JPEG segments, GIF blocks, RIFF chunks) and copying what it keeps, without
/// decoding or re-encoding anything (no image library, no native code, linear in the file's size).
/// <list type="bullet">
/// <item>PNG: keeps the image and rendering chunks (IHDR, PLTE, IDAT, IEND, tRNS, colour: gAMA cHRM sRGB iCCP sBIT cICP
/// mDCV cLLI, bKGD, pHYs, animation: acTL fcTL fdAT); drops text (tEXt zTXt iTXt), eXIf, tIME and every other ancillary
/// chunk. A critical chunk it does not know is refused (a decoder must refuse it too).</item>
/// <item>JPEG: keeps the frame, tables and scans, APP0 JFIF (without its thumbnail), APP2 ICC profiles and APP14 Adobe
/// (colour transform); drops Exif and XMP (APP1), IPTC (APP13), every other APPn, comments (COM) and JPGn segments.</item>
/// <item>GIF: keeps the screen and image descriptors, colour tables, image data and graphic control extensions, and the
/// NETSCAPE2.0 / ANIMEXTS1.0 loop count (rewritten to its fixed form); drops comments, plain text and every other
/// application extension (XMP, ICC).</item>
/// <item>WebP: keeps VP8/VP8L/ALPH/ANIM/ANMF/ICCP and VP8X (its Exif and XMP flags cleared); drops EXIF, XMP and unknown
/// chunks, also inside animation frames.</item>
/// <item>All: anything after the image's end (after IEND, EOI, the GIF trailer, the RIFF size) is dropped; that is
/// where appended archives and second images (JPEG MPF) live.</item>
/// </list>
/// The Exif orientation is what rendering needs from Exif (a phone's portrait photo is stored sideways): of a JPEG's or
/// PNG's Exif, only an orientation other than 1 is kept, in a minimal Exif block of its own (no GPS, no camera, no
/// thumbnail). What is not removed: data inside the pixel streams themselves (IDAT, JPEG scans, LZW sub-blocks, VP8
/// bitstreams, including bytes after a compressed stream's end inside its chunk) and inside ICC profiles; only
/// re-encoding would remove those (docs/security.md).
/// </summary>
public static partial class AvatarMetadata
{
    /// <summary>Removes <paramref name="image"/>'s metadata; <paramref name="format"/> is what <see cref="AvatarFormat.Detect"/> found.</summary>
    public static AvatarStripResult Strip(ReadOnlyMemory<byte> image, AvatarFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var output = new Output(image);
        try
        {
            if (format == AvatarFormat.Png)
            {
                StripPng(image.Span, output);
            }
            else if (format == AvatarFormat.Jpeg)
            {
                StripJpeg(image.Span, output);
            }
            else if (format == AvatarFormat.Gif)
            {
                StripGif(image.Span, output);
            }
            else if (format == AvatarFormat.WebP)
            {
                return StripWebP(image, output);
            }
            else
            {
                throw new ArgumentException($"No metadata stripping for {format.Name}.", nameof(format));
            }
        }
        catch (MalformedImageException ex)
        {
            return new AvatarStripResult.Malformed(ex.Message);
        }

        var stripped = output.Build();
        return new AvatarStripResult.Stripped(stripped, image.Length - stripped.Length);
    }

    /// <summary>The image's structure cannot be followed: refused rather than published with what it might hide.</summary>
    private sealed class MalformedImageException(string reason) : Exception(reason);

    private static MalformedImageException Truncated(string what) => new($"{what} runs past the end of the file");

    /// <summary>
    /// The kept parts, in order: ranges of the input (adjacent ones merged) and bytes written anew. Built into a new
    /// array only when something was left out or rewritten; otherwise the input itself is the output (no copy).
    /// </summary>
    private sealed class Output(ReadOnlyMemory<byte> source)
    {
        private readonly List<(int Start, int Length, byte[]? Bytes)> pieces = [];

        public void Keep(int start, int length)
        {
            if (length == 0)
            {
                return;
            }

            if (pieces.Count > 0 && pieces[^1] is { Bytes: null } last && last.Start + last.Length == start)
            {
                pieces[^1] = (last.Start, last.Length + length, null);
            }
            else
            {
                pieces.Add((start, length, null));
            }
        }

        public void Add(byte[] bytes) => pieces.Add((0, bytes.Length, bytes));

        public int Length => pieces.Sum(p => p.Length);

        public ReadOnlyMemory<byte> Build()
        {
            if (pieces is [{ Bytes: null, Start: 0 } only] && only.Length == source.Length)
            {
                return source;
            }

            var result = GC.AllocateUninitializedArray<byte>(Length); // every byte is written below
            var at = 0;
            var span = source.Span;
            foreach (var (start, length, bytes) in pieces)
            {
                (bytes is null ? span.Slice(start, length) : bytes).CopyTo(result.AsSpan(at));
                at += length;
            }

            return result;
        }
    }
}
