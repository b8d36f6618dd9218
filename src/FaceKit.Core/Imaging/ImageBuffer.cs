using FaceKit.Core.Errors;

namespace FaceKit.Core.Imaging;

/// <summary>
/// The one in-memory image type of FaceKit: 8-bit pixels, row-major, with an explicit stride and
/// channel order. Decoders at the edges produce it; every pipeline stage reads it through spans.
/// </summary>
public sealed class ImageBuffer
{
    private readonly byte[] _pixels;

    public ImageBuffer(int width, int height, PixelFormat format, byte[] pixels, int stride = 0)
    {
        if (width <= 0 || height <= 0)
            throw FaceKitException.BadInput($"image size {width}x{height} is not positive");
        int minStride = width * format.BytesPerPixel();
        stride = stride == 0 ? minStride : stride;
        if (stride < minStride)
            throw FaceKitException.BadInput($"stride {stride} is smaller than a row ({minStride} bytes)");
        if ((long)stride * (height - 1) + minStride > pixels.Length)
            throw FaceKitException.BadInput($"pixel buffer of {pixels.Length} bytes is too small for {width}x{height}");
        Width = width;
        Height = height;
        Format = format;
        Stride = stride;
        _pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public int Stride { get; }
    public PixelFormat Format { get; }
    public int Channels => Format.BytesPerPixel();

    public Span<byte> Pixels => _pixels;
    public byte[] Array => _pixels;

    public ReadOnlySpan<byte> Row(int y) => _pixels.AsSpan(y * Stride, Width * Channels);

    public static ImageBuffer Create(int width, int height, PixelFormat format) =>
        new(width, height, format, new byte[checked(width * height * format.BytesPerPixel())]);

    /// <summary>A 3-channel BGR copy (or this image when it already is BGR).</summary>
    public ImageBuffer ToBgr()
    {
        if (Format == PixelFormat.Bgr24) return this;
        var dst = Create(Width, Height, PixelFormat.Bgr24);
        var d = dst.Pixels;
        for (int y = 0; y < Height; y++)
        {
            var src = Row(y);
            var row = d.Slice(y * dst.Stride, Width * 3);
            if (Format == PixelFormat.Gray8)
            {
                for (int x = 0; x < Width; x++) { byte v = src[x]; row[3 * x] = v; row[3 * x + 1] = v; row[3 * x + 2] = v; }
            }
            else
            {
                for (int x = 0; x < Width; x++) { row[3 * x] = src[3 * x + 2]; row[3 * x + 1] = src[3 * x + 1]; row[3 * x + 2] = src[3 * x]; }
            }
        }
        return dst;
    }

    /// <summary>A copy of the rectangle (x, y, w, h), which must lie inside the image.</summary>
    public ImageBuffer Crop(int x, int y, int w, int h)
    {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > Width || y + h > Height)
            throw new ArgumentOutOfRangeException(nameof(w), $"crop {x},{y} {w}x{h} is outside a {Width}x{Height} image");
        var crop = Create(w, h, Format);
        int c = Channels;
        for (int row = 0; row < h; row++)
            Row(y + row).Slice(x * c, w * c).CopyTo(crop.Pixels.Slice(row * crop.Stride, w * c));
        return crop;
    }

    /// <summary>A mirror image (left ↔ right), same format.</summary>
    public ImageBuffer FlipHorizontal()
    {
        var dst = Create(Width, Height, Format);
        int c = Channels;
        var d = dst.Pixels;
        for (int y = 0; y < Height; y++)
        {
            var src = Row(y);
            var row = d.Slice(y * dst.Stride, Width * c);
            for (int x = 0; x < Width; x++)
                src.Slice(x * c, c).CopyTo(row.Slice((Width - 1 - x) * c, c));
        }
        return dst;
    }
}
