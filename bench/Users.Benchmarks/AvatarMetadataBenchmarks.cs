using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Users.Core.Domain;

namespace Users.Benchmarks;

/// <summary>
/// The CPU and memory stripping an avatar's metadata adds to one upload (AvatarMetadata.Strip, called by CreateUser
/// after the format is recognised): each format at a typical avatar's size and at the largest accepted (4 MiB), as a
/// camera or an editor writes it (Exif with GPS, XMP, an ICC profile, comments or text chunks, an appended archive), and
/// a JPEG without metadata (published without a copy, but its scans are still walked).
/// </summary>
[MemoryDiagnoser]
public class AvatarMetadataBenchmarks
{
    private byte[] jpeg = [];
    private byte[] cleanJpeg = [];
    private byte[] png = [];
    private byte[] gif = [];
    private byte[] webp = [];

    /// <summary>The image's size: 256 KiB (a phone photo scaled for an avatar) and 4 MiB (AVATAR_MAX_BYTES' default).</summary>
    [Params(256 * 1024, 4 * 1024 * 1024)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        jpeg = AvatarSamples.Jpeg(Bytes, random, withMetadata: true);
        cleanJpeg = AvatarSamples.Jpeg(Bytes, random, withMetadata: false);
        png = AvatarSamples.Png(Bytes, random);
        gif = AvatarSamples.Gif(Bytes, random);
        webp = AvatarSamples.WebP(Bytes, random);
    }

    [Benchmark]
    public int Jpeg() => Removed(jpeg, AvatarFormat.Jpeg);

    [Benchmark]
    public int JpegWithoutMetadata() => Removed(cleanJpeg, AvatarFormat.Jpeg);

    [Benchmark]
    public int Png() => Removed(png, AvatarFormat.Png);

    [Benchmark]
    public int Gif() => Removed(gif, AvatarFormat.Gif);

    [Benchmark]
    public int WebP() => Removed(webp, AvatarFormat.WebP);

    private static int Removed(byte[] image, AvatarFormat format) =>
        AvatarMetadata.Strip(image, format) is AvatarStripResult.Stripped stripped
            ? stripped.RemovedBytes
            : throw new InvalidOperationException($"the {format.Name} sample is malformed");
}

/// <summary>Images of a given size with the usual metadata, built chunk by chunk (random pixel data: only the structure matters).</summary>
public static class AvatarSamples
{
    private static readonly byte[] Xmp = [.. "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">"u8, .. new byte[4000], .. "</x:xmpmeta>"u8];

    /// <summary>SOI, JFIF, Exif (8 KiB: GPS, camera, a thumbnail's worth), XMP, ICC, tables, one scan of stuffed entropy data, EOI.</summary>
    public static byte[] Jpeg(int size, Random random, bool withMetadata)
    {
        ArgumentNullException.ThrowIfNull(random);
        var image = new List<byte>(size + 32 * 1024) { 0xFF, 0xD8 };
        image.AddRange(Segment(0xE0, [.. "JFIF\0"u8, 1, 2, 1, 0, 72, 0, 72, 0, 0]));
        if (withMetadata)
        {
            image.AddRange(Segment(0xE1, [.. "Exif\0\0"u8, .. "II*\0"u8, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, .. new byte[8192]]));
            image.AddRange(Segment(0xE1, [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. Xmp]));
            image.AddRange(Segment(0xE2, [.. "ICC_PROFILE\0"u8, 1, 1, .. new byte[3000]]));
            image.AddRange(Segment(0xFE, "Shot on a phone"u8));
        }

        image.AddRange(Segment(0xDB, [0, .. new byte[64]]));
        image.AddRange(Segment(0xC0, [8, 2, 0, 2, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]));
        image.AddRange(Segment(0xC4, [0, .. new byte[16], 0]));
        image.AddRange(Segment(0xDA, [3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]));
        var scan = new byte[Math.Max(0, size - image.Count - 2 - (withMetadata ? 64 : 0))];
        random.NextBytes(scan);
        foreach (var b in scan)
        {
            image.Add(b);
            if (b == 0xFF)
            {
                image.Add(0x00); // byte stuffing, as every encoder writes it
            }
        }

        image.AddRange([0xFF, 0xD9]);
        if (withMetadata)
        {
            image.AddRange("PK\u0003\u0004 an appended archive, 64 bytes long ......................"u8);
        }

        return [.. image];
    }

    /// <summary>Signature, IHDR, text chunks, eXIf, IDAT chunks of 64 KiB (as libpng writes large images), IEND.</summary>
    public static byte[] Png(int size, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        using var png = new MemoryStream(size + 16 * 1024);
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", [0, 0, 2, 0, 0, 0, 2, 0, 8, 2, 0, 0, 0]);
        Chunk(png, "tEXt", "Software\0an editor"u8);
        Chunk(png, "iTXt", [.. "XML:com.adobe.xmp\0\0\0\0\0"u8, .. Xmp]);
        Chunk(png, "eXIf", [.. "MM\0*"u8, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, .. new byte[4096]]);
        var data = new byte[64 * 1024];
        while (png.Length < size - 12)
        {
            random.NextBytes(data);
            Chunk(png, "IDAT", data.AsSpan(0, (int)Math.Min(data.Length, size - 24 - png.Length)));
        }

        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Header, global colour table, loop count, a comment, an XMP application extension, one frame of 255-byte sub-blocks.</summary>
    public static byte[] Gif(int size, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var gif = new List<byte>(size + 8 * 1024);
        gif.AddRange([.. "GIF89a"u8, 0, 2, 0, 2, 0xF7, 0, 0, .. new byte[768]]);
        gif.AddRange([0x21, 0xFF, 11, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, 0]);
        gif.AddRange([0x21, 0xFE, 15, .. "Made by an app."u8, 0]);
        gif.AddRange([0x21, 0xFF, 11, .. "XMP DataXMP"u8]);
        foreach (var part in Xmp.Chunk(255))
        {
            gif.Add((byte)part.Length);
            gif.AddRange(part);
        }

        gif.Add(0);
        gif.AddRange([0x21, 0xF9, 4, 0, 10, 0, 0, 0, 0x2C, 0, 0, 0, 0, 0, 2, 0, 2, 0, 8]);
        var block = new byte[255];
        while (gif.Count < size - 258)
        {
            random.NextBytes(block);
            gif.Add(255);
            gif.AddRange(block);
        }

        gif.AddRange([0, 0x3B]);
        return [.. gif];
    }

    /// <summary>RIFF, VP8X (Exif, XMP and ICC flags), ICCP, one VP8L chunk, EXIF, XMP.</summary>
    public static byte[] WebP(int size, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var bitstream = new byte[Math.Max(0, size - 12 - 18 - 3008 - 8 - 4104 - Xmp.Length - 8)];
        random.NextBytes(bitstream);
        byte[] body =
        [
            .. "WEBP"u8,
            .. Riff("VP8X", [0x2C, 0, 0, 0, 0xFF, 1, 0, 0xFF, 1, 0]),
            .. Riff("ICCP", new byte[3000]),
            .. Riff("VP8L", bitstream),
            .. Riff("EXIF", [.. "MM\0*"u8, .. new byte[4092]]),
            .. Riff("XMP ", Xmp),
        ];
        return [.. "RIFF"u8, .. BitConverter.GetBytes((uint)body.Length), .. body];
    }

    private static byte[] Segment(byte marker, ReadOnlySpan<byte> payload)
    {
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = marker;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment.AsSpan(4));
        return segment;
    }

    private static void Chunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, header[4..]);
        png.Write(header);
        png.Write(data);
        png.Write([0, 0, 0, 0]); // CRC: not checked by the stripper, and nothing decodes these samples
    }

    private static byte[] Riff(string code, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[8 + data.Length + (data.Length & 1)];
        System.Text.Encoding.ASCII.GetBytes(code, chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)data.Length);
        data.CopyTo(chunk.AsSpan(8));
        return chunk;
    }
}
