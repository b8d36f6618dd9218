using FaceKit.Core.Geometry;

namespace FaceKit.Core.Alignment;

/// <summary>The ArcFace/InsightFace reference positions of the five landmarks in a 112×112 crop.</summary>
public static class ArcFaceTemplate
{
    public const int Size = 112;

    public static readonly Landmarks5 Points112 = new(
        new(38.2946f, 51.6963f), new(73.5318f, 51.5014f), new(56.0252f, 71.7366f),
        new(41.5493f, 92.3655f), new(70.7299f, 92.2041f));

    /// <summary>The template for a square crop of another size (scaled from 112).</summary>
    public static Landmarks5 ForSize(int size)
    {
        float s = size / (float)Size;
        var p = Points112;
        return new(Mul(p.LeftEye, s), Mul(p.RightEye, s), Mul(p.Nose, s), Mul(p.MouthLeft, s), Mul(p.MouthRight, s));
        static PointF Mul(PointF q, float s) => new(q.X * s, q.Y * s);
    }
}
