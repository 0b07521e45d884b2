namespace Users.Core.Domain;

public static partial class AvatarMetadata
{
    private const byte GifImage = 0x2C;
    private const byte GifExtension = 0x21;
    private const byte GifTrailer = 0x3B;
    private const byte GraphicControl = 0xF9;
    private const byte Application = 0xFF;

    private static ReadOnlySpan<byte> Netscape => "NETSCAPE2.0"u8;
    private static ReadOnlySpan<byte> AnimExts => "ANIMEXTS1.0"u8;

    private static void StripGif(ReadOnlySpan<byte> gif, Output output)
    {
        // Header (6) and logical screen descriptor (7), then the global colour table when the flag says so.
        if (gif.Length < 13)
        {
            throw Truncated("The GIF header");
        }

        var position = 13 + ColourTableLength(gif[10]);
        if (position > gif.Length)
        {
            throw Truncated("The global colour table");
        }

        output.Keep(0, position);
        while (true)
        {
            if (position >= gif.Length)
            {
                // Ended between blocks without a trailer (a cut-off upload): close it.
                output.Add([GifTrailer]);
                return;
            }

            var start = position;
            switch (gif[position])
            {
                case GifTrailer:
                    output.Keep(position, 1);
                    return; // anything after the trailer is not part of the image
                case GifImage:
                    // Image descriptor (10), local colour table, LZW minimum code size, image data sub-blocks.
                    if (gif.Length - position < 10)
                    {
                        throw Truncated("An image descriptor");
                    }

                    position += 10 + ColourTableLength(gif[position + 9]) + 1;
                    position = SubBlocksEnd(gif, position, "Image data");
                    output.Keep(start, position - start);
                    break;
                case GifExtension:
                    if (gif.Length - position < 2)
                    {
                        throw Truncated("An extension");
                    }

                    var label = gif[position + 1];
                    position = SubBlocksEnd(gif, position + 2, "An extension");
                    if (label == GraphicControl)
                    {
                        output.Keep(start, position - start); // delay, disposal, transparency: how frames are shown
                    }
                    else if (label == Application && LoopCount(gif[(start + 2)..position]) is { } loops)
                    {
                        // The loop count of an animation, in its fixed form (anything else in that block left out).
                        byte[] loop = [GifExtension, Application, 11, .. Netscape, 3, 1, (byte)loops, (byte)(loops >> 8), 0];
                        if (gif[start..position].SequenceEqual(loop))
                        {
                            output.Keep(start, position - start);
                        }
                        else
                        {
                            output.Add(loop);
                        }
                    }

                    // Comments (0xFE), plain text (0x01), other applications (XMP, ICC, vendors'): left out.
                    break;
                default:
                    throw new MalformedImageException($"byte {position} (0x{gif[position]:X2}) does not start a GIF block");
            }
        }
    }

    private static int ColourTableLength(byte packed) => (packed & 0x80) == 0 ? 0 : 3 << ((packed & 0x07) + 1);

    /// <summary>The end of a run of data sub-blocks (a length byte, that many bytes, ... a zero length).</summary>
    private static int SubBlocksEnd(ReadOnlySpan<byte> gif, int position, string what)
    {
        while (true)
        {
            if (position >= gif.Length)
            {
                throw Truncated(what);
            }

            var size = gif[position];
            position += 1 + size;
            if (size == 0)
            {
                return position;
            }
        }
    }

    /// <summary>The loop count of a NETSCAPE2.0 (or ANIMEXTS1.0) application extension's sub-blocks, else null.</summary>
    private static ushort? LoopCount(ReadOnlySpan<byte> blocks) =>
        blocks.Length >= 17 && blocks[0] == 11 && (blocks.Slice(1, 11).SequenceEqual(Netscape) || blocks.Slice(1, 11).SequenceEqual(AnimExts))
            && blocks[12] == 3 && blocks[13] == 1
            ? (ushort)(blocks[14] | (blocks[15] << 8))
            : null;
}
