using System.Buffers.Binary;
using System.IO.Compression;
using FaceKit.Testing;
using OpenCvSharp;

namespace FaceKit.Robustness.Tests;

/// <summary>One generated input: its bytes, the file name it arrives under, and what kind of damage it carries.</summary>
public sealed record HostileInput(string Kind, string Name, byte[] Bytes);

/// <summary>
/// Bad inputs made from the real photographs in ../shared/data: truncations and bit flips of JPEG,
/// PNG, WebP and PGM files, empty and one-byte files, 1×1 images, headers claiming 60000×60000,
/// decompression bombs, wrong extensions and junk behind real magic numbers. Deterministic (seeded).
/// </summary>
public static class HostileInputs
{
    public static List<HostileInput> Generate(int seed = 20261127)
    {
        var random = new Random(seed);
        var sources = Sources();
        var inputs = new List<HostileInput>();

        foreach (var (format, name, bytes) in sources)
        {
            // Truncations at 24 points, from the first byte to one byte short.
            for (int i = 0; i < 24; i++)
            {
                int length = i switch { 0 => 1, 1 => 8, 2 => 30, 23 => bytes.Length - 1, _ => (int)(bytes.Length * (i / 24.0)) };
                inputs.Add(new($"truncated-{format}", name, bytes[..Math.Clamp(length, 1, bytes.Length - 1)]));
            }
            // Bit flips anywhere (1, 8 or 64 bits) and in the header (first 512 bytes): 72 per photo.
            for (int i = 0; i < 72; i++)
            {
                var copy = (byte[])bytes.Clone();
                int flips = i % 3 == 0 ? 1 : i % 3 == 1 ? 8 : 64;
                bool header = i % 2 == 0;
                for (int f = 0; f < flips; f++)
                {
                    int at = header ? random.Next(Math.Min(512, copy.Length)) : random.Next(copy.Length);
                    copy[at] ^= (byte)(1 << random.Next(8));
                }
                inputs.Add(new($"bitflip-{format}", name, copy));
            }
            // Random byte overwrites of whole runs, and garbage appended.
            for (int i = 0; i < 6; i++)
            {
                var copy = (byte[])bytes.Clone();
                int start = random.Next(copy.Length / 2), run = random.Next(16, 4096);
                for (int k = start; k < Math.Min(copy.Length, start + run); k++) copy[k] = (byte)random.Next(256);
                inputs.Add(new($"overwrite-{format}", name, copy));
            }
            // The real file under a wrong extension, and the extension of another format.
            foreach (var ext in new[] { ".png", ".pgm", ".webp", ".txt", "" })
                inputs.Add(new("wrong-extension", Path.ChangeExtension(name, ext), bytes));
        }

        // Empty, tiny and junk files.
        inputs.Add(new("empty", "empty.jpg", []));
        for (int n = 1; n <= 48; n++) inputs.Add(new("tiny", $"tiny{n}.jpg", Junk(random, n)));
        foreach (var magic in Magics())
            for (int i = 0; i < 6; i++)
                inputs.Add(new("magic-then-junk", "junk.img", [.. magic, .. Junk(random, random.Next(0, 2000))]));

        // 1×1 (and other degenerate sizes) in every format.
        foreach (var (w, h) in new[] { (1, 1), (1, 500), (500, 1), (2, 2), (7, 3) })
            foreach (var ext in new[] { ".jpg", ".png", ".webp", ".pgm", ".bmp" })
                inputs.Add(new($"degenerate-{w}x{h}", "small" + ext, Encode(new Mat(h, w, MatType.CV_8UC3, Scalar.All(128)), ext)));

        // Headers that claim 60000×60000 (3.6 GP), with and without plausible data behind them.
        var png = sources.First(s => s.Format == "png").Bytes;
        var jpeg = sources.First(s => s.Format == "jpeg").Bytes;
        foreach (var (w, h) in new[] { (60000, 60000), (65535, 65535), (60000, 1), (int.MaxValue, 2), (-5, 100), (0, 0) })
        {
            inputs.Add(new("huge-header-png", "huge.png", PngWithSize(png, w, h)));
            if (w is > 0 and <= 65535 && h is > 0 and <= 65535) inputs.Add(new("huge-header-jpeg", "huge.jpg", JpegWithSize(jpeg, w, h)));
            inputs.Add(new("huge-header-pgm", "huge.pgm", [.. "P5\n"u8, .. System.Text.Encoding.ASCII.GetBytes($"{w} {h}\n255\n"), .. Junk(random, 4096)]));
            inputs.Add(new("huge-header-bmp", "huge.bmp", BmpHeader(w, h)));
        }
        inputs.Add(new("huge-header-webp", "huge.webp", WebpVp8x(60000, 60000)));
        inputs.Add(new("huge-header-webp", "huge.webp", WebpVp8x(16384, 16384)));

        // Decompression bombs: a tiny file that inflates to gigapixels, and one just under the pixel limit.
        inputs.Add(new("bomb-png", "bomb.png", PngBomb(20000, 20000)));
        inputs.Add(new("bomb-png", "bomb.png", PngBomb(65000, 800)));
        inputs.Add(new("bomb-png-under-limit", "bomb-small.png", Encode(new Mat(6000, 6000, MatType.CV_8UC3, Scalar.All(0)), ".png")));
        inputs.Add(new("bomb-jpeg-under-limit", "bomb-small.jpg", Encode(new Mat(6000, 6000, MatType.CV_8UC3, Scalar.All(0)), ".jpg")));

        // PGM oddities.
        foreach (var text in new[] { "P5\n92 112\n0\n", "P5\n92 112\n65536\n", "P5\n-92 112\n255\n", "P2\n3 3\n255\n1 2 3 4 5 6 7 8 x\n",
                     "P5 99999999999999999999 1 255\n", "P5\n#comment\n", "P6\n2 2\n255\n", "P5\n2 2\n255\n\x01" })
            inputs.Add(new("pgm-oddity", "odd.pgm", System.Text.Encoding.Latin1.GetBytes(text)));
        return inputs;
    }

    /// <summary>Real photographs, in each format the loader claims (PNG and WebP re-encoded from a real photo).</summary>
    private static List<(string Format, string Name, byte[] Bytes)> Sources()
    {
        var unit = SharedData.Path("unit", "images");
        var jpegs = Directory.GetFiles(unit, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(3).ToList();
        var list = jpegs.Select(p => ("jpeg", Path.GetFileName(p), File.ReadAllBytes(p))).ToList();
        list.Add(("webp", "img47.jpg", File.ReadAllBytes(SharedData.Path("photos", "images", "id03", "img47.jpg")))); // really WebP
        using var photo = Cv2.ImRead(jpegs[0], ImreadModes.Color);
        list.Add(("png", "face.png", Encode(photo.Clone(), ".png")));
        list.Add(("webp", "face.webp", Encode(photo.Clone(), ".webp")));
        list.Add(("pgm", "1.pgm", File.ReadAllBytes(SharedData.Path("orl", "s1", "1.pgm"))));
        list.Add(("pgm", "yale.pgm", File.ReadAllBytes(Directory.GetFiles(SharedData.Path("yaleb-dev"), "*.pgm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First())));
        return list;
    }

    private static byte[] Encode(Mat mat, string ext)
    {
        using (mat)
        {
            if (ext == ".pgm")
            {
                using var gray = mat.CvtColor(ColorConversionCodes.BGR2GRAY);
                return gray.ImEncode(".pgm");
            }
            return mat.ImEncode(ext);
        }
    }

    private static byte[] Junk(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }

    private static IEnumerable<byte[]> Magics() =>
    [
        [0xFF, 0xD8, 0xFF, 0xE0], [0xFF, 0xD8], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
        [.. "RIFF\0\0\0\0WEBPVP8 "u8], [.. "RIFF\0\0\0\0WEBPVP8L"u8], [.. "BM"u8], [.. "GIF89a"u8], [.. "II*\0"u8], [.. "MM\0*"u8], [.. "P5\n"u8], [.. "P6\n"u8],
    ];

    /// <summary>A real PNG whose IHDR claims another size (CRC fixed, so only the size is wrong).</summary>
    private static byte[] PngWithSize(byte[] png, int w, int h)
    {
        var copy = (byte[])png.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(16), w);
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(20), h);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(29), PngCrc.Compute(copy.AsSpan(12, 17)));
        return copy;
    }

    private static byte[] JpegWithSize(byte[] jpeg, int w, int h)
    {
        var copy = (byte[])jpeg.Clone();
        for (int i = 2; i + 9 < copy.Length;)
        {
            if (copy[i] != 0xFF) { i++; continue; }
            byte marker = copy[i + 1];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 5), (ushort)h);
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 7), (ushort)w);
                return copy;
            }
            i += 2 + BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(i + 2));
        }
        return copy;
    }

    private static byte[] BmpHeader(int w, int h)
    {
        var b = new byte[54 + 64];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), b.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 24);
        return b;
    }

    private static byte[] WebpVp8x(int w, int h)
    {
        var b = new byte[64];
        "RIFF"u8.CopyTo(b); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), b.Length - 8);
        "WEBPVP8X"u8.CopyTo(b.AsSpan(8)); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(16), 10);
        int w1 = w - 1, h1 = h - 1;
        b[24] = (byte)w1; b[25] = (byte)(w1 >> 8); b[26] = (byte)(w1 >> 16);
        b[27] = (byte)h1; b[28] = (byte)(h1 >> 8); b[29] = (byte)(h1 >> 16);
        return b;
    }

    /// <summary>A valid grey PNG of w×h zero pixels: a few hundred KB that inflate to w·h bytes.</summary>
    private static byte[] PngBomb(int w, int h)
    {
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[w + 1]; // filter byte + pixels
            for (int y = 0; y < h; y++) z.Write(row);
        }
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 8; ihdr[9] = 0; // 8-bit greyscale
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(len, PngCrc.Compute(typed));
        s.Write(len);
    }
}

/// <summary>CRC-32 as PNG chunks use it.</summary>
internal static class PngCrc
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
