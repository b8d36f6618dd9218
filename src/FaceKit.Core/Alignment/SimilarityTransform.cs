using FaceKit.Core.Geometry;

namespace FaceKit.Core.Alignment;

/// <summary>
/// x' = a·x − b·y + tx,  y' = b·x + a·y + ty: rotation, uniform scale and translation — the transform
/// ArcFace-style alignment uses, so faces keep their proportions.
/// </summary>
public readonly record struct SimilarityTransform(double A, double B, double Tx, double Ty)
{
    public double Scale => Math.Sqrt(A * A + B * B);
    public double RotationRadians => Math.Atan2(B, A);

    public PointF Apply(PointF p) => new((float)(A * p.X - B * p.Y + Tx), (float)(B * p.X + A * p.Y + Ty));

    public SimilarityTransform Inverse()
    {
        double d = A * A + B * B;
        if (d < 1e-20) throw new InvalidOperationException("degenerate transform has no inverse");
        double ia = A / d, ib = -B / d;
        return new(ia, ib, -(ia * Tx - ib * Ty), -(ib * Tx + ia * Ty));
    }

    /// <summary>
    /// Least-squares similarity from <paramref name="src"/> onto <paramref name="dst"/> (Umeyama 1991, without
    /// reflection): centre both sets, the optimal rotation·scale is the normalised cross-covariance.
    /// </summary>
    public static SimilarityTransform Estimate(ReadOnlySpan<PointF> src, ReadOnlySpan<PointF> dst)
    {
        if (src.Length != dst.Length || src.Length < 2)
            throw new ArgumentException("need at least two point pairs of equal count");
        int n = src.Length;
        double sx = 0, sy = 0, dx = 0, dy = 0;
        for (int i = 0; i < n; i++) { sx += src[i].X; sy += src[i].Y; dx += dst[i].X; dy += dst[i].Y; }
        sx /= n; sy /= n; dx /= n; dy /= n;

        // For 2-D similarity, Umeyama's SVD reduces to closed form: with centred points u (src) and v (dst),
        // a = Σ(u·v)/Σ|u|², b = Σ(u×v)/Σ|u|².
        double dot = 0, cross = 0, var = 0;
        for (int i = 0; i < n; i++)
        {
            double ux = src[i].X - sx, uy = src[i].Y - sy;
            double vx = dst[i].X - dx, vy = dst[i].Y - dy;
            dot += ux * vx + uy * vy;
            cross += ux * vy - uy * vx;
            var += ux * ux + uy * uy;
        }
        if (var < 1e-12) throw new ArgumentException("source points are all the same point");
        double a = dot / var, b = cross / var;
        return new(a, b, dx - (a * sx - b * sy), dy - (b * sx + a * sy));
    }
}
