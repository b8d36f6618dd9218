using System.Buffers.Binary;

namespace FaceKit.Inference.Imaging;

/// <summary>
/// Reads an image's format and dimensions from its first bytes, so an oversized picture (a
/// decompression bomb) is refused before a decoder allocates memory for it.
/// </summary>
public readonly record struct ImageHeader(string Format, int Width, int Height)
{
    // Not a u8 string literal: "\x89" would be encoded as the two UTF-8 bytes C2 89.
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public long Pixels => (long)Width * Height;

    /// <summary>Null when the format is not recognised or the header is too short to tell.</summary>
    public static ImageHeader? TryRead(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 24 && d[..8].SequenceEqual(PngSignature))
            return new("png", BinaryPrimitives.ReadInt32BigEndian(d[16..]), BinaryPrimitives.ReadInt32BigEndian(d[20..]));
        if (d.Length >= 4 && d[0] == 0xFF && d[1] == 0xD8) return ReadJpeg(d);
        if (d.Length >= 30 && d[..4].SequenceEqual("RIFF"u8) && d.Slice(8, 4).SequenceEqual("WEBP"u8)) return ReadWebp(d);
        if (d.Length >= 26 && d[0] == 'B' && d[1] == 'M')
            return new("bmp", BinaryPrimitives.ReadInt32LittleEndian(d[18..]), Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(d[22..])));
        if (d.Length >= 10 && d[..6].SequenceEqual("GIF89a"u8) || d.Length >= 10 && d[..6].SequenceEqual("GIF87a"u8))
            return new("gif", BinaryPrimitives.ReadUInt16LittleEndian(d[6..]), BinaryPrimitives.ReadUInt16LittleEndian(d[8..]));
        if (d.Length >= 2 && d[0] == 'P' && d[1] is (byte)'2' or (byte)'5' or (byte)'3' or (byte)'6') return ReadNetpbm(d);
        if (d.Length >= 8 && (d[..4].SequenceEqual("II*\0"u8) || d[..4].SequenceEqual("MM\0*"u8))) return new("tiff", 0, 0);
        return null;
    }

    private static ImageHeader? ReadJpeg(ReadOnlySpan<byte> d)
    {
        int i = 2;
        while (i + 9 < d.Length)
        {
            if (d[i] != 0xFF) { i++; continue; }
            byte marker = d[i + 1];
            if (marker == 0xFF) { i++; continue; }
            if (marker is 0xD8 or 0x01 || marker is >= 0xD0 and <= 0xD7) { i += 2; continue; }
            int length = BinaryPrimitives.ReadUInt16BigEndian(d[(i + 2)..]);
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                return new("jpeg", BinaryPrimitives.ReadUInt16BigEndian(d[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(d[(i + 5)..]));
            i += 2 + length;
        }
        return new("jpeg", 0, 0);
    }

    private static ImageHeader? ReadWebp(ReadOnlySpan<byte> d)
    {
        var chunk = d.Slice(12, 4);
        if (chunk.SequenceEqual("VP8X"u8))
            return new("webp", 1 + (d[24] | d[25] << 8 | d[26] << 16), 1 + (d[27] | d[28] << 8 | d[29] << 16));
        if (chunk.SequenceEqual("VP8L"u8))
        {
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(d[21..]);
            return new("webp", (int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }
        if (chunk.SequenceEqual("VP8 "u8))
            return new("webp", BinaryPrimitives.ReadUInt16LittleEndian(d[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(d[28..]) & 0x3FFF);
        return new("webp", 0, 0);
    }

    private static ImageHeader? ReadNetpbm(ReadOnlySpan<byte> d)
    {
        Span<long> values = stackalloc long[2];
        int found = 0, i = 2;
        while (found < 2 && i < d.Length)
        {
            byte c = d[i];
            if (c == '#') { while (i < d.Length && d[i] != '\n') i++; continue; }
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                long v = 0;
                while (i < d.Length && d[i] is >= (byte)'0' and <= (byte)'9' && v < int.MaxValue) v = v * 10 + (d[i++] - '0');
                values[found++] = v;
                continue;
            }
            i++;
        }
        return found == 2 ? new("pnm", (int)Math.Min(values[0], int.MaxValue), (int)Math.Min(values[1], int.MaxValue)) : null;
    }
}
