using System.Buffers.Binary;

namespace Users.Core.Domain;

public static partial class AvatarMetadata
{
    private static readonly HashSet<uint> WebPImageChunks = [.. new[] { "VP8 ", "VP8L", "ALPH", "ANIM", "ICCP" }.Select(FourCc)];
    private static readonly HashSet<uint> WebPFrameChunks = [.. new[] { "VP8 ", "VP8L", "ALPH" }.Select(FourCc)];
    private static readonly uint Vp8X = FourCc("VP8X");
    private static readonly uint Anmf = FourCc("ANMF");

    /// <summary>VP8X flags: Exif and XMP metadata present.</summary>
    private const byte MetadataFlags = 0x08 | 0x04;

    private const int RiffHeaderLength = 12;
    private const int AnmfHeaderLength = 16;

    private static uint FourCc(string code) => BinaryPrimitives.ReadUInt32BigEndian(System.Text.Encoding.ASCII.GetBytes(code));

    private static AvatarStripResult.Stripped StripWebP(ReadOnlyMemory<byte> image, Output body)
    {
        var webp = image.Span;
        if (webp.Length < RiffHeaderLength)
        {
            throw Truncated("The RIFF header");
        }

        var riffSize = BinaryPrimitives.ReadUInt32LittleEndian(webp[4..]);
        if (riffSize < 4 || riffSize > (uint)webp.Length - 8)
        {
            throw Truncated("The RIFF container");
        }

        // The RIFF header, written once the kept chunks' size is known; then the chunks inside the RIFF size (anything
        // after it is not part of the image).
        var header = new byte[RiffHeaderLength];
        body.Add(header);
        var end = 8 + (int)riffSize;
        var changed = end != webp.Length;
        var position = RiffHeaderLength;
        while (position < end)
        {
            var (code, size) = WebPChunk(webp, position, end, "A chunk");
            var padded = 8 + size + (size & 1);
            var chunkEnd = Math.Min(position + padded, end); // the last chunk's pad byte may be missing
            if (WebPImageChunks.Contains(code))
            {
                body.Keep(position, chunkEnd - position);
            }
            else if (code == Vp8X && size >= 10)
            {
                if ((webp[position + 8] & MetadataFlags) == 0)
                {
                    body.Keep(position, chunkEnd - position);
                }
                else
                {
                    var vp8x = webp[position..chunkEnd].ToArray();
                    vp8x[8] &= unchecked((byte)~MetadataFlags);
                    body.Add(vp8x);
                    changed = true;
                }
            }
            else if (code == Anmf && size >= AnmfHeaderLength)
            {
                changed |= StripAnimationFrame(webp, position, size, chunkEnd, body);
            }
            else
            {
                changed = true; // EXIF, XMP, anything unknown
            }

            position = chunkEnd;
        }

        if (!changed)
        {
            return new AvatarStripResult.Stripped(image, 0);
        }

        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(body.Length - 8));
        "WEBP"u8.CopyTo(header.AsSpan(8));
        var result = body.Build();
        return new AvatarStripResult.Stripped(result, webp.Length - result.Length);
    }

    private static (uint Code, int Size) WebPChunk(ReadOnlySpan<byte> webp, int position, int end, string what)
    {
        if (end - position < 8)
        {
            throw Truncated(what + "'s header");
        }

        var size = BinaryPrimitives.ReadUInt32LittleEndian(webp[(position + 4)..]);
        if (size > (uint)(end - position - 8))
        {
            throw Truncated($"The '{System.Text.Encoding.ASCII.GetString(webp.Slice(position, 4))}' chunk");
        }

        return (BinaryPrimitives.ReadUInt32BigEndian(webp[position..]), (int)size);
    }

    /// <summary>An ANMF frame: its 16-byte header, then only the frame's image chunks. True when something was left out.</summary>
    private static bool StripAnimationFrame(ReadOnlySpan<byte> webp, int position, int size, int chunkEnd, Output body)
    {
        var frameEnd = position + 8 + size;
        var kept = new List<(int Start, int Length)>();
        var at = position + 8 + AnmfHeaderLength;
        var dropped = false;
        while (at < frameEnd)
        {
            var (code, inner) = WebPChunk(webp, at, frameEnd, "A frame's chunk");
            var innerEnd = Math.Min(at + 8 + inner + (inner & 1), frameEnd);
            if (WebPFrameChunks.Contains(code))
            {
                kept.Add((at, innerEnd - at));
            }
            else
            {
                dropped = true;
            }

            at = innerEnd;
        }

        if (!dropped)
        {
            body.Keep(position, chunkEnd - position);
            return false;
        }

        var frameSize = AnmfHeaderLength + kept.Sum(k => k.Length);
        var header = new byte[8 + AnmfHeaderLength];
        webp.Slice(position, 8 + AnmfHeaderLength).CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)frameSize);
        body.Add(header);
        foreach (var (start, length) in kept)
        {
            body.Keep(start, length);
        }

        return true;
    }
}
