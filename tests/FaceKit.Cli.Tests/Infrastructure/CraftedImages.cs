using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace FaceKit.Cli.Tests.Infrastructure;

/// <summary>Image files written byte by byte, so each bad input is exactly the one we mean.</summary>
public static class CraftedImages
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A complete, valid 8-bit PNG (colour type 2 for 3 channels, 0 for 1) of the given rows.</summary>
    public static byte[] Png(int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels));
        if (pixels.Length != width * height * channels) throw new ArgumentException("pixel count does not match the size", nameof(pixels));
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            int rowBytes = width * channels;
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0); // filter: none
                z.Write(pixels.Slice(y * rowBytes, rowBytes));
            }
        }
        using var png = new MemoryStream();
        png.Write(PngSignature);
        WriteChunk(png, "IHDR", Ihdr(width, height, colourType: channels == 3 ? (byte)2 : (byte)0));
        WriteChunk(png, "IDAT", raw.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>
    /// Signature + IHDR claiming <paramref name="width"/>×<paramref name="height"/> + IEND, no pixel data: a
    /// decompression bomb's header, which a careful loader refuses from the header alone.
    /// </summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write(PngSignature);
        WriteChunk(png, "IHDR", Ihdr(width, height, colourType: 2));
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>SOI, a baseline SOF0 frame header claiming <paramref name="width"/>×<paramref name="height"/>, EOI.</summary>
    public static byte[] JpegHeaderOnly(int width, int height)
    {
        var d = new List<byte> { 0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08 };
        d.AddRange([(byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x03]);
        d.AddRange([0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
        d.AddRange([0xFF, 0xD9]);
        return [.. d];
    }

    /// <summary>A binary PGM ("P5"), a format the loader also accepts.</summary>
    public static byte[] Pgm(int width, int height, ReadOnlySpan<byte> pixels) =>
        [.. Encoding.ASCII.GetBytes($"P5 {width} {height} 255\n"), .. pixels];

    public static byte[] Flat(int width, int height, int channels, byte value)
    {
        var pixels = new byte[width * height * channels];
        Array.Fill(pixels, value);
        return pixels;
    }

    public static byte[] Noise(int width, int height, int channels, int seed)
    {
        var pixels = new byte[width * height * channels];
        new Random(seed).NextBytes(pixels);
        return pixels;
    }

    private static byte[] Ihdr(int width, int height, byte colourType)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = colourType;
        return ihdr; // compression, filter, interlace: 0
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        var typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typeAndData);
        data.CopyTo(typeAndData, 4);
        s.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndData));
        s.Write(word);
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC-32 (ISO-HDLC) PNG chunks carry.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
