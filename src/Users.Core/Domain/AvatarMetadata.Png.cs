using System.Buffers.Binary;

namespace Users.Core.Domain;

public static partial class AvatarMetadata
{
    /// <summary>The chunks a PNG decoder uses to show the image (PNG 3rd edition, APNG included).</summary>
    private static readonly HashSet<uint> PngRenderingChunks =
    [
        .. new[]
        {
            "IHDR", "PLTE", "IDAT", "IEND", "tRNS",
            "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "cICP", "mDCV", "cLLI", "mDCv", "cLLi",
            "bKGD", "pHYs",
            "acTL", "fcTL", "fdAT",
        }.Select(ChunkCode),
    ];

    private static readonly uint Ihdr = ChunkCode("IHDR");
    private static readonly uint Iend = ChunkCode("IEND");
    private static readonly uint Exif = ChunkCode("eXIf");

    private static uint ChunkCode(string type) => BinaryPrimitives.ReadUInt32BigEndian(System.Text.Encoding.ASCII.GetBytes(type));

    private const int PngSignatureLength = 8;

    private static void StripPng(ReadOnlySpan<byte> png, Output output)
    {
        if (png.Length < PngSignatureLength)
        {
            throw Truncated("The PNG signature");
        }

        output.Keep(0, PngSignatureLength);
        var position = PngSignatureLength;
        var first = true;
        while (position < png.Length)
        {
            if (png.Length - position < 12)
            {
                throw Truncated("A chunk header");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(png[position..]);
            var type = png.Slice(position + 4, 4);
            if (length > int.MaxValue || !IsChunkType(type))
            {
                throw new MalformedImageException($"a chunk at byte {position} has an invalid length or type");
            }

            var size = 12 + (int)length; // length, type, data, CRC
            if (size > png.Length - position)
            {
                throw Truncated($"The '{System.Text.Encoding.ASCII.GetString(type)}' chunk");
            }

            var code = BinaryPrimitives.ReadUInt32BigEndian(type);
            if (first && code != Ihdr)
            {
                throw new MalformedImageException("the first chunk is not IHDR");
            }

            first = false;
            if (PngRenderingChunks.Contains(code))
            {
                output.Keep(position, size);
            }
            else if (code == Exif)
            {
                if (ExifOrientation(png.Slice(position + 8, (int)length)) is { } orientation)
                {
                    output.Add(PngChunk("eXIf", MinimalExif(orientation)));
                }
            }
            else if (char.IsAsciiLetterUpper((char)type[0]))
            {
                // Critical: a decoder that does not know it must refuse the image, so publishing it without would change it.
                throw new MalformedImageException($"it has an unknown critical chunk '{System.Text.Encoding.ASCII.GetString(type)}'");
            }

            position += size;
            if (code == Iend)
            {
                return; // anything after IEND is not part of the image
            }
        }

        // Ended at a chunk boundary without IEND (a cut-off upload): what is there is kept and the end added.
        output.Add(PngChunk("IEND", []));
    }

    private static bool IsChunkType(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] PngChunk(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    /// <summary>The CRC-32 of PNG chunks (ISO 3309), over the type and data.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
