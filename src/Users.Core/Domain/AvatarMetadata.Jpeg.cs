using System.Buffers.Binary;

namespace Users.Core.Domain;

public static partial class AvatarMetadata
{
    private const byte Soi = 0xD8;
    private const byte Eoi = 0xD9;
    private const byte Sos = 0xDA;
    private const byte App0 = 0xE0;
    private const byte App1 = 0xE1;
    private const byte App2 = 0xE2;
    private const byte App14 = 0xEE;

    private static ReadOnlySpan<byte> JfifId => "JFIF\0"u8;
    private static ReadOnlySpan<byte> ExifId => "Exif\0\0"u8;
    private static ReadOnlySpan<byte> IccId => "ICC_PROFILE\0"u8;
    private static ReadOnlySpan<byte> AdobeId => "Adobe"u8;

    private static void StripJpeg(ReadOnlySpan<byte> jpeg, Output output)
    {
        if (jpeg.Length < 2 || jpeg[0] != 0xFF || jpeg[1] != Soi)
        {
            throw new MalformedImageException("it does not start with a JPEG start-of-image marker");
        }

        output.Keep(0, 2);
        var position = 2;
        var orientationKept = false;
        while (true)
        {
            if (position >= jpeg.Length)
            {
                // Ended between segments without an end-of-image marker (a cut-off upload): close it.
                output.Add([0xFF, Eoi]);
                return;
            }

            if (jpeg[position] != 0xFF)
            {
                throw new MalformedImageException($"byte {position} is not a JPEG marker");
            }

            // Any number of 0xFF fill bytes may precede a marker.
            while (position < jpeg.Length && jpeg[position] == 0xFF)
            {
                position++;
            }

            if (position >= jpeg.Length)
            {
                throw Truncated("A JPEG marker");
            }

            // The marker as "FF xx": the fill bytes before its last 0xFF are left out.
            var marker = jpeg[position];
            var markerStart = position - 1;
            position++;
            if (marker == Eoi)
            {
                output.Keep(markerStart, 2);
                return; // anything after the end of the image (appended files, MPF's second images) is dropped
            }

            if (marker is >= 0xD0 and <= 0xD7 or 0x01)
            {
                output.Keep(markerStart, 2); // RSTn, TEM: markers without a segment
                continue;
            }

            if (marker is 0x00 or Soi)
            {
                throw new MalformedImageException($"a misplaced JPEG marker 0x{marker:X2} at byte {markerStart}");
            }

            if (jpeg.Length - position < 2)
            {
                throw Truncated("A JPEG segment's length");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[position..]);
            if (length < 2 || length > jpeg.Length - position)
            {
                throw Truncated($"The JPEG segment 0x{marker:X2} at byte {markerStart}");
            }

            var payload = jpeg.Slice(position + 2, length - 2);
            var segmentEnd = position + length;
            switch (marker)
            {
                case App0 when payload.StartsWith(JfifId) && payload.Length >= 14:
                    // JFIF: version, density; its optional thumbnail (a second, older picture) is left out.
                    if (payload.Length == 14)
                    {
                        output.Keep(markerStart, 2 + length);
                    }
                    else
                    {
                        var jfif = new byte[18];
                        jfif[0] = 0xFF;
                        jfif[1] = App0;
                        BinaryPrimitives.WriteUInt16BigEndian(jfif.AsSpan(2), 16);
                        payload[..12].CopyTo(jfif.AsSpan(4)); // identifier, version, units, densities
                        output.Add(jfif);                     // thumbnail 0 × 0
                    }

                    break;
                case App1 when payload.StartsWith(ExifId):
                    if (!orientationKept && ExifOrientation(payload[ExifId.Length..]) is { } orientation)
                    {
                        output.Add(JpegSegment(App1, [.. ExifId, .. MinimalExif(orientation)]));
                        orientationKept = true;
                    }

                    break;
                case App2 when payload.StartsWith(IccId):
                case App14 when payload.StartsWith(AdobeId):
                    output.Keep(markerStart, 2 + length);
                    break;
                case >= 0xE0 and <= 0xEF: // every other APPn: Exif without the identifier, XMP, IPTC, MPF, vendors'
                case 0xFE:               // COM
                case >= 0xF0 and <= 0xFD: // JPGn: reserved, no decoder of the web reads them
                    break;
                case Sos:
                    output.Keep(markerStart, 2 + length);
                    segmentEnd = EntropyCodedEnd(jpeg, segmentEnd);
                    output.Keep(position + length, segmentEnd - (position + length));
                    break;
                default: // frame headers (SOFn), tables (DHT, DQT, DAC), DRI, DNL, DHP, EXP
                    output.Keep(markerStart, 2 + length);
                    break;
            }

            position = segmentEnd;
        }
    }

    private static byte[] JpegSegment(byte marker, ReadOnlySpan<byte> payload)
    {
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = marker;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment.AsSpan(4));
        return segment;
    }

    /// <summary>
    /// Where a scan's entropy-coded data ends: at the first marker that is not a stuffed 0xFF00, a restart marker
    /// (which belong to the scan) or fill; the end of the file when the data runs to it (no end-of-image marker).
    /// </summary>
    private static int EntropyCodedEnd(ReadOnlySpan<byte> jpeg, int start)
    {
        var position = start;
        while (true)
        {
            var next = jpeg[position..].IndexOf((byte)0xFF);
            if (next < 0)
            {
                return jpeg.Length;
            }

            position += next;
            var after = position + 1;
            while (after < jpeg.Length && jpeg[after] == 0xFF)
            {
                after++;
            }

            if (after >= jpeg.Length)
            {
                return jpeg.Length;
            }

            if (jpeg[after] is 0x00 or (>= 0xD0 and <= 0xD7))
            {
                position = after + 1;
                continue;
            }

            return position;
        }
    }
}
