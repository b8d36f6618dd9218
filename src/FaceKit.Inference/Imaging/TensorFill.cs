using FaceKit.Core.Imaging;

namespace FaceKit.Inference.Imaging;

/// <summary>Writes an interleaved 8-bit image into a planar (NCHW) float tensor in one pass.</summary>
public static class TensorFill
{
    /// <summary>
    /// value = (pixel − mean) · scale, channel planes in RGB or BGR order. A grey image fills every plane with
    /// its one channel. <paramref name="destination"/> must hold 3·width·height floats.
    /// </summary>
    public static void Planar(ImageBuffer image, Span<float> destination, float mean, float scale, bool rgb)
    {
        int w = image.Width, h = image.Height, plane = w * h;
        if (destination.Length < 3 * plane) throw new ArgumentException("destination tensor is too small");
        var c0 = destination[..plane];
        var c1 = destination.Slice(plane, plane);
        var c2 = destination.Slice(2 * plane, plane);
        bool sourceIsRgb = image.Format == PixelFormat.Rgb24;
        // Index of the source byte that goes into plane 0: swap when the wanted order differs from the stored one.
        bool swap = rgb != sourceIsRgb;
        for (int y = 0; y < h; y++)
        {
            var row = image.Row(y);
            int o = y * w;
            if (image.Format == PixelFormat.Gray8)
            {
                for (int x = 0; x < w; x++) { float v = (row[x] - mean) * scale; c0[o + x] = v; c1[o + x] = v; c2[o + x] = v; }
                continue;
            }
            for (int x = 0; x < w; x++)
            {
                int p = 3 * x;
                byte a = row[p], b = row[p + 1], c = row[p + 2];
                c0[o + x] = ((swap ? c : a) - mean) * scale;
                c1[o + x] = (b - mean) * scale;
                c2[o + x] = ((swap ? a : c) - mean) * scale;
            }
        }
    }

    /// <summary>One grey plane: value = (luma − mean) · scale, luma by the ITU-R BT.601 weights OpenCV uses.</summary>
    public static void Gray(ImageBuffer image, Span<float> destination, float mean, float scale)
    {
        int w = image.Width;
        bool bgr = image.Format == PixelFormat.Bgr24;
        for (int y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            var dst = destination.Slice(y * w, w);
            if (image.Format == PixelFormat.Gray8)
            {
                for (int x = 0; x < w; x++) dst[x] = (row[x] - mean) * scale;
                continue;
            }
            for (int x = 0; x < w; x++)
            {
                int p = 3 * x;
                float r = bgr ? row[p + 2] : row[p], g = row[p + 1], b = bgr ? row[p] : row[p + 2];
                float luma = MathF.Round(0.299f * r + 0.587f * g + 0.114f * b);
                dst[x] = (luma - mean) * scale;
            }
        }
    }
}
