using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Users.Core.Domain;

namespace Users.Core.Tests;

/// <summary>
/// The metadata stripper, format by format, on files built here chunk by chunk: what is kept, what is left out, what is
/// rewritten, what is refused. (AvatarMetadataDecodeTests does the same with real encoders' files and a real decoder.)
/// </summary>
public class AvatarMetadataTests
{
    private static readonly byte[] Secret = "SECRET-4242"u8.ToArray();

    private static byte[] Strip(byte[] image, AvatarFormat format) =>
        Assert.IsType<AvatarStripResult.Stripped>(AvatarMetadata.Strip(image, format)).Image.ToArray();

    private static string Malformed(byte[] image, AvatarFormat format) =>
        Assert.IsType<AvatarStripResult.Malformed>(AvatarMetadata.Strip(image, format)).Reason;

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    /// <summary>A TIFF (Exif) block, little-endian as cameras write it: Make (the secret), Orientation, a GPS IFD pointer.</summary>
    private static byte[] CameraExif(ushort orientation)
    {
        var tiff = new List<byte>();
        tiff.AddRange("II*\0"u8.ToArray());
        tiff.AddRange(BitConverter.GetBytes(8u));
        tiff.AddRange(BitConverter.GetBytes((ushort)3));
        void Entry(ushort tag, ushort type, uint count, uint value)
        {
            tiff.AddRange(BitConverter.GetBytes(tag));
            tiff.AddRange(BitConverter.GetBytes(type));
            tiff.AddRange(BitConverter.GetBytes(count));
            tiff.AddRange(BitConverter.GetBytes(value));
        }

        Entry(0x010F, 2, (uint)Secret.Length + 1, 50);  // Make, ASCII at offset 50
        Entry(0x0112, 3, 1, orientation);               // Orientation
        Entry(0x8825, 4, 1, 70);                        // GPS IFD at offset 70
        tiff.AddRange(BitConverter.GetBytes(0u));        // no next IFD
        while (tiff.Count < 50)
        {
            tiff.Add(0);
        }

        tiff.AddRange(Secret);
        tiff.Add(0);
        while (tiff.Count < 70)
        {
            tiff.Add(0);
        }

        tiff.AddRange([1, 0, 2, 0, 2, 0, 0, 0, (byte)'N', 0, 0, 0, 0, 0, 0, 0]); // GPS: one entry, latitude ref N
        return [.. tiff];
    }

    // ---- PNG ------------------------------------------------------------------------------------------------------

    private static byte[] PngChunk(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), AvatarMetadata.Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] Ihdr = PngChunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    private static readonly byte[] Idat = PngChunk("IDAT", [0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01]);
    private static readonly byte[] Iend = PngChunk("IEND", []);
    private static readonly byte[] Srgb = PngChunk("sRGB", [0]);
    private static readonly byte[] Trns = PngChunk("tRNS", [0, 0]);

    [Fact]
    public void Png_loses_text_time_and_exif_but_keeps_colour_transparency_and_orientation()
    {
        byte[] png =
        [
            .. PngSignature, .. Ihdr, .. Srgb,
            .. PngChunk("tEXt", [.. "Comment\0"u8, .. Secret]),
            .. PngChunk("zTXt", [.. "Author\0\0"u8, .. Secret]),
            .. PngChunk("iTXt", [.. "XML:com.adobe.xmp\0\0\0\0\0"u8, .. Secret]),
            .. PngChunk("tIME", [0x07, 0xE9, 1, 2, 3, 4, 5]),
            .. PngChunk("eXIf", CameraExif(6)),
            .. PngChunk("prVt", Secret), // an unknown ancillary chunk
            .. Trns, .. Idat, .. Iend,
            .. "PK\u0003\u0004"u8, .. Secret, // an archive appended after IEND
        ];

        var clean = Strip(png, AvatarFormat.Png);

        Assert.Equal([.. PngSignature, .. Ihdr, .. Srgb, .. PngChunk("eXIf", AvatarMetadata.MinimalExif(6)), .. Trns, .. Idat, .. Iend], clean);
        Assert.False(Contains(clean, Secret));
        Assert.Equal((ushort)6, AvatarMetadata.ExifOrientation(AvatarMetadata.MinimalExif(6)));
    }

    [Fact]
    public void Png_exif_without_a_turn_is_left_out_whole() =>
        Assert.Equal([.. PngSignature, .. Ihdr, .. Idat, .. Iend], Strip([.. PngSignature, .. Ihdr, .. PngChunk("eXIf", CameraExif(1)), .. Idat, .. Iend], AvatarFormat.Png));

    [Fact]
    public void Png_without_metadata_is_published_as_it_came_without_a_copy()
    {
        byte[] png = [.. PngSignature, .. Ihdr, .. Srgb, .. Idat, .. Iend];
        var result = Assert.IsType<AvatarStripResult.Stripped>(AvatarMetadata.Strip(png, AvatarFormat.Png));

        Assert.Equal(0, result.RemovedBytes);
        Assert.True(MemoryMarshal.TryGetArray(result.Image, out var segment) && ReferenceEquals(segment.Array, png));
    }

    [Fact]
    public void Png_cut_off_at_a_chunk_boundary_gets_its_end_and_cut_inside_a_chunk_is_refused()
    {
        Assert.Equal([.. PngSignature, .. Ihdr, .. Idat, .. Iend], Strip([.. PngSignature, .. Ihdr, .. Idat], AvatarFormat.Png));
        Assert.Contains("runs past the end", Malformed([.. PngSignature, .. Ihdr, .. Idat[..^3]], AvatarFormat.Png), StringComparison.Ordinal);
        Assert.Contains("runs past the end", Malformed([.. PngSignature, 0, 0, 0, 13], AvatarFormat.Png), StringComparison.Ordinal);
    }

    [Fact]
    public void Png_with_an_unknown_critical_chunk_or_not_starting_with_ihdr_is_refused()
    {
        Assert.Contains("unknown critical chunk 'ZZZZ'", Malformed([.. PngSignature, .. Ihdr, .. PngChunk("ZZZZ", Secret), .. Idat, .. Iend], AvatarFormat.Png), StringComparison.Ordinal);
        Assert.Contains("not IHDR", Malformed([.. PngSignature, .. Srgb, .. Ihdr, .. Idat, .. Iend], AvatarFormat.Png), StringComparison.Ordinal);
        Assert.Contains("invalid length or type", Malformed([.. PngSignature, .. Ihdr, 0, 0, 0, 1, (byte)'1', (byte)'2', (byte)'3', (byte)'4', 0, 0, 0, 0, 0], AvatarFormat.Png), StringComparison.Ordinal);
    }

    // ---- JPEG -----------------------------------------------------------------------------------------------------

    private static byte[] Segment(byte marker, ReadOnlySpan<byte> payload)
    {
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = marker;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment.AsSpan(4));
        return segment;
    }

    private static readonly byte[] Soi = [0xFF, 0xD8];
    private static readonly byte[] Eoi = [0xFF, 0xD9];
    private static readonly byte[] Jfif = Segment(0xE0, [.. "JFIF\0"u8, 1, 2, 1, 0, 72, 0, 72, 0, 0]);
    private static readonly byte[] Dqt = Segment(0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
    private static readonly byte[] Sof0 = Segment(0xC0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    private static readonly byte[] Dht = Segment(0xC4, [0, 1, .. new byte[15], 0]);
    private static readonly byte[] Sos = Segment(0xDA, [1, 1, 0, 0, 63, 0]);

    /// <summary>Entropy-coded data with a stuffed 0xFF00 and a restart marker in it (both belong to the scan).</summary>
    private static readonly byte[] Scan = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xD1, 0x78];

    [Fact]
    public void Jpeg_loses_exif_xmp_iptc_comments_thumbnails_and_what_follows_but_keeps_frame_tables_scan_icc_adobe_and_orientation()
    {
        var icc = Segment(0xE2, [.. "ICC_PROFILE\0"u8, 1, 1, .. "profile"u8]);
        var adobe = Segment(0xEE, [.. "Adobe"u8, 0, 100, 0, 0, 0, 0, 1]);
        byte[] jpeg =
        [
            .. Soi,
            .. Segment(0xE0, [.. "JFIF\0"u8, 1, 2, 1, 0, 72, 0, 72, 1, 1, .. Secret[..3]]), // JFIF with a 1×1 thumbnail
            .. Segment(0xE0, [.. "JFXX\0"u8, 0x10, .. Secret]),                          // a JFXX thumbnail
            .. Segment(0xE1, [.. "Exif\0\0"u8, .. CameraExif(8)]),
            .. Segment(0xE1, [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. Secret]),
            .. icc,
            .. Segment(0xED, [.. "Photoshop 3.0\0"u8, .. Secret]),
            .. Segment(0xE2, [.. "MPF\0"u8, .. Secret]),
            .. adobe,
            .. Segment(0xFE, Secret),
            .. Dqt, .. Sof0, .. Dht, .. Sos, .. Scan,
            .. Segment(0xFE, Secret), // a comment between scans
            .. Eoi,
            .. Soi, .. Segment(0xFE, Secret), .. Eoi, // a second image after the first (MPF), then an archive
            .. "PK\u0003\u0004"u8, .. Secret,
        ];

        var clean = Strip(jpeg, AvatarFormat.Jpeg);

        Assert.Equal(
            [.. Soi, .. Jfif, .. Segment(0xE1, [.. "Exif\0\0"u8, .. AvatarMetadata.MinimalExif(8)]), .. icc, .. adobe, .. Dqt, .. Sof0, .. Dht, .. Sos, .. Scan, .. Eoi],
            clean);
        Assert.False(Contains(clean, Secret));
    }

    [Fact]
    public void Jpeg_without_metadata_is_published_as_it_came()
    {
        byte[] jpeg = [.. Soi, .. Jfif, .. Dqt, .. Sof0, .. Dht, .. Sos, .. Scan, .. Eoi];
        var result = Assert.IsType<AvatarStripResult.Stripped>(AvatarMetadata.Strip(jpeg, AvatarFormat.Jpeg));

        Assert.Equal(0, result.RemovedBytes);
        Assert.True(MemoryMarshal.TryGetArray(result.Image, out var segment) && ReferenceEquals(segment.Array, jpeg));
    }

    [Fact]
    public void Jpeg_fill_bytes_are_dropped_and_a_missing_end_is_added()
    {
        Assert.Equal([.. Soi, .. Dqt, .. Sof0, .. Eoi], Strip([.. Soi, 0xFF, 0xFF, .. Dqt, .. Sof0, 0xFF, .. Eoi], AvatarFormat.Jpeg));
        Assert.Equal([.. Soi, .. Sof0, .. Sos, .. Scan, .. Eoi], Strip([.. Soi, .. Sof0, .. Sos, .. Scan], AvatarFormat.Jpeg));
    }

    [Fact]
    public void Jpeg_whose_segments_cannot_be_followed_is_refused()
    {
        Assert.Contains("runs past the end", Malformed([.. Soi, .. Dqt[..^5]], AvatarFormat.Jpeg), StringComparison.Ordinal);
        Assert.Contains("is not a JPEG marker", Malformed([.. Soi, 0x00, 0x01], AvatarFormat.Jpeg), StringComparison.Ordinal);
        Assert.Contains("misplaced", Malformed([.. Soi, .. Soi, .. Eoi], AvatarFormat.Jpeg), StringComparison.Ordinal);
        Assert.Contains("runs past the end", Malformed([.. Soi, 0xFF, 0xDB, 0x00, 0x01], AvatarFormat.Jpeg), StringComparison.Ordinal);
    }

    // ---- GIF ------------------------------------------------------------------------------------------------------

    private static readonly byte[] GifHeader = [.. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]; // 2-colour global table
    private static readonly byte[] Gce = [0x21, 0xF9, 4, 1, 10, 0, 0, 0];
    private static readonly byte[] Image = [0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0];
    private static readonly byte[] Loop = [0x21, 0xFF, 11, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, 0];

    private static byte[] SubBlocks(ReadOnlySpan<byte> data) => [(byte)data.Length, .. data, 0];

    [Fact]
    public void Gif_loses_comments_plain_text_and_other_applications_but_keeps_frames_timing_and_the_loop_count()
    {
        byte[] gif =
        [
            .. GifHeader,
            0x21, 0xFF, 11, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, .. SubBlocks(Secret.AsSpan(0, 2)), // a loop block carrying more than the count
            .. (byte[])[0x21, 0xFE, .. SubBlocks(Secret)],                             // comment
            .. (byte[])[0x21, 0xFF, 11, .. "XMP DataXMP"u8, .. SubBlocks(Secret)],     // XMP
            .. (byte[])[0x21, 0x01, 12, .. new byte[12], .. SubBlocks(Secret)],        // plain text
            .. Gce, .. Image, .. Gce, .. Image,
            0x3B,
            .. "PK\u0003\u0004"u8, .. Secret,
        ];

        var clean = Strip(gif, AvatarFormat.Gif);

        Assert.Equal([.. GifHeader, .. Loop, .. Gce, .. Image, .. Gce, .. Image, 0x3B], clean);
        Assert.False(Contains(clean, Secret));
    }

    [Fact]
    public void Gif_without_metadata_is_published_as_it_came()
    {
        byte[] gif = [.. GifHeader, .. Loop, .. Gce, .. Image, 0x3B];
        Assert.Equal(0, Assert.IsType<AvatarStripResult.Stripped>(AvatarMetadata.Strip(gif, AvatarFormat.Gif)).RemovedBytes);
    }

    [Fact]
    public void Gif_cut_off_between_blocks_gets_its_trailer_and_inside_a_block_is_refused()
    {
        Assert.Equal([.. GifHeader, .. Image, 0x3B], Strip([.. GifHeader, .. Image], AvatarFormat.Gif));
        Assert.Contains("runs past the end", Malformed([.. GifHeader, .. Image[..^2]], AvatarFormat.Gif), StringComparison.Ordinal);
        Assert.Contains("does not start a GIF block", Malformed([.. GifHeader, 0x42, 0x3B], AvatarFormat.Gif), StringComparison.Ordinal);
        Assert.Contains("runs past the end", Malformed([.. "GIF89a"u8, 1, 0, 1, 0, 0x87], AvatarFormat.Gif), StringComparison.Ordinal);
    }

    // ---- WebP -----------------------------------------------------------------------------------------------------

    private static byte[] RiffChunk(string code, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[8 + data.Length + (data.Length & 1)];
        Encoding.ASCII.GetBytes(code, chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)data.Length);
        data.CopyTo(chunk.AsSpan(8));
        return chunk;
    }

    private static byte[] Riff(params byte[][] chunks)
    {
        byte[] body = [.. "WEBP"u8, .. chunks.SelectMany(c => c)];
        return [.. "RIFF"u8, .. BitConverter.GetBytes((uint)body.Length), .. body];
    }

    private static byte[] Vp8X(byte flags) => RiffChunk("VP8X", [flags, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    private static readonly byte[] Vp8L = RiffChunk("VP8L", [0x2F, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE, 0x07]);
    private static readonly byte[] Iccp = RiffChunk("ICCP", "profile"u8);

    [Fact]
    public void WebP_loses_exif_xmp_and_unknown_chunks_and_its_flags_say_so()
    {
        byte[] webp =
        [
            .. Riff(Vp8X(0x20 | 0x08 | 0x04), Iccp, Vp8L, RiffChunk("EXIF", CameraExif(6)), RiffChunk("XMP ", Secret), RiffChunk("PRIV", Secret)),
            .. "PK\u0003\u0004"u8, .. Secret,
        ];

        var clean = Strip(webp, AvatarFormat.WebP);

        Assert.Equal(Riff(Vp8X(0x20), Iccp, Vp8L), clean);
        Assert.False(Contains(clean, Secret));
    }

    [Fact]
    public void WebP_animation_frames_lose_unknown_chunks_and_keep_their_image()
    {
        byte[] frameHeader = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0];
        var frame = RiffChunk("ANMF", [.. frameHeader, .. Vp8L, .. RiffChunk("PRIV", Secret)]);
        var anim = RiffChunk("ANIM", [0, 0, 0, 0, 0, 0]);

        var clean = Strip(Riff(Vp8X(0x02 | 0x08), anim, frame, RiffChunk("EXIF", Secret)), AvatarFormat.WebP);

        Assert.Equal(Riff(Vp8X(0x02), anim, RiffChunk("ANMF", [.. frameHeader, .. Vp8L])), clean);
    }

    [Fact]
    public void WebP_without_metadata_is_published_as_it_came_and_a_cut_container_is_refused()
    {
        var webp = Riff(Vp8L);
        Assert.Equal(0, Assert.IsType<AvatarStripResult.Stripped>(AvatarMetadata.Strip(webp, AvatarFormat.WebP)).RemovedBytes);
        Assert.Contains("runs past the end", Malformed(webp[..^4], AvatarFormat.WebP), StringComparison.Ordinal);
        Assert.Contains("runs past the end", Malformed(Riff([.. Vp8L[..4], 0xFF, 0, 0, 0]), AvatarFormat.WebP), StringComparison.Ordinal);
    }
}
