using System.Buffers.Binary;

namespace Users.Core.Domain;

public static partial class AvatarMetadata
{
    private const ushort OrientationTag = 0x0112;
    private const ushort ShortType = 3;

    /// <summary>
    /// The orientation (2–8) in an Exif block's first IFD (a TIFF structure: "II" or "MM", 42, the IFD's offset), or
    /// null when it is 1 (as stored), absent, or the block cannot be read: then the image is shown as stored.
    /// </summary>
    internal static ushort? ExifOrientation(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
        {
            return null;
        }

        bool little;
        if (tiff[0] == 'I' && tiff[1] == 'I')
        {
            little = true;
        }
        else if (tiff[0] == 'M' && tiff[1] == 'M')
        {
            little = false;
        }
        else
        {
            return null;
        }

        if (U16(tiff, 2, little) != 42)
        {
            return null;
        }

        var ifd = U32(tiff, 4, little);
        if (ifd > (uint)tiff.Length - 2)
        {
            return null;
        }

        var entries = U16(tiff, (int)ifd, little);
        for (var i = 0; i < entries; i++)
        {
            var entry = (int)ifd + 2 + (i * 12);
            if (entry > tiff.Length - 12)
            {
                return null;
            }

            if (U16(tiff, entry, little) == OrientationTag)
            {
                var value = U16(tiff, entry + 8, little);
                return U16(tiff, entry + 2, little) == ShortType && U32(tiff, entry + 4, little) == 1 && value is >= 2 and <= 8 ? value : null;
            }
        }

        return null;
    }

    private static ushort U16(ReadOnlySpan<byte> bytes, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]) : BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]);

    private static uint U32(ReadOnlySpan<byte> bytes, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]) : BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);

    /// <summary>An Exif block holding the orientation only: big-endian TIFF header, one IFD of one entry, no next IFD.</summary>
    internal static byte[] MinimalExif(ushort orientation)
    {
        var tiff = new byte[26];
        "MM"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), 8);  // IFD0 right after the header
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(8), 1);  // one entry
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(10), OrientationTag);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(12), ShortType);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(14), 1);  // count
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(18), orientation);
        return tiff; // bytes 20–21: padding of the value field; 22–25: no next IFD
    }
}
