using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;

namespace FaceKit.Core.Alignment;

/// <summary>Warps a face onto the ArcFace template with a least-squares similarity transform.</summary>
public static class FaceAligner
{
    public static SimilarityTransform TransformFor(in Landmarks5 landmarks, int size = ArcFaceTemplate.Size)
    {
        Span<PointF> src = stackalloc PointF[Landmarks5.Count];
        Span<PointF> dst = stackalloc PointF[Landmarks5.Count];
        var template = ArcFaceTemplate.ForSize(size);
        for (int i = 0; i < Landmarks5.Count; i++) { src[i] = landmarks[i]; dst[i] = template[i]; }
        return SimilarityTransform.Estimate(src, dst);
    }

    /// <summary>The aligned size×size crop, same pixel format as the source.</summary>
    public static ImageBuffer Align(ImageBuffer image, in Landmarks5 landmarks, int size = ArcFaceTemplate.Size)
    {
        var dst = ImageBuffer.Create(size, size, image.Format);
        Warp(image, TransformFor(landmarks, size), dst);
        return dst;
    }

    /// <summary>
    /// Bilinear inverse-mapping warp: each destination pixel samples the source at T⁻¹(x, y).
    /// Pixels that fall outside the source are black, as OpenCV's BORDER_CONSTANT does.
    /// </summary>
    public static void Warp(ImageBuffer src, SimilarityTransform forward, ImageBuffer dst)
    {
        if (src.Format != dst.Format) throw new ArgumentException("source and destination formats differ");
        var inv = forward.Inverse();
        int c = src.Channels, w = src.Width, h = src.Height, stride = src.Stride;
        ReadOnlySpan<byte> s = src.Pixels;
        Span<byte> d = dst.Pixels;
        float a = (float)inv.A, b = (float)inv.B, tx = (float)inv.Tx, ty = (float)inv.Ty;
        for (int y = 0; y < dst.Height; y++)
        {
            var row = d.Slice(y * dst.Stride, dst.Width * c);
            for (int x = 0; x < dst.Width; x++)
            {
                float fx = a * x - b * y + tx;
                float fy = b * x + a * y + ty;
                int x0 = (int)MathF.Floor(fx), y0 = (int)MathF.Floor(fy);
                float ax = fx - x0, ay = fy - y0;
                for (int ch = 0; ch < c; ch++)
                {
                    float p00 = Sample(s, x0, y0, ch), p10 = Sample(s, x0 + 1, y0, ch);
                    float p01 = Sample(s, x0, y0 + 1, ch), p11 = Sample(s, x0 + 1, y0 + 1, ch);
                    float top = p00 + (p10 - p00) * ax, bottom = p01 + (p11 - p01) * ax;
                    row[x * c + ch] = (byte)Math.Clamp((int)MathF.Round(top + (bottom - top) * ay), 0, 255);
                }
            }
        }

        float Sample(ReadOnlySpan<byte> px, int sx, int sy, int ch) =>
            (uint)sx < (uint)w && (uint)sy < (uint)h ? px[sy * stride + sx * c + ch] : 0f;
    }
}
