using FaceKit.Core.Alignment;
using FaceKit.Core.Geometry;

namespace FaceKit.Core.Tests.Alignment;

public class SimilarityTransformTests
{
    [Fact]
    public void Estimate_RecoversAKnownSimilarityTransform()
    {
        var truth = new SimilarityTransform(A: 1.3 * Math.Cos(0.4), B: 1.3 * Math.Sin(0.4), Tx: 12.5, Ty: -7.25);
        var src = new PointF[] { new(10, 20), new(60, 22), new(35, 50), new(15, 80), new(58, 79) };
        var dst = src.Select(truth.Apply).ToArray();

        var estimated = SimilarityTransform.Estimate(src, dst);

        Assert.Equal(truth.A, estimated.A, 1e-3);
        Assert.Equal(truth.B, estimated.B, 1e-3);
        Assert.Equal(truth.Tx, estimated.Tx, 1e-3);
        Assert.Equal(truth.Ty, estimated.Ty, 1e-3);
        Assert.Equal(1.3, estimated.Scale, 1e-4);
        Assert.Equal(0.4, estimated.RotationRadians, 1e-4);
    }

    [Fact]
    public void Estimate_WithNoisyPoints_IsTheLeastSquaresFit()
    {
        var src = new PointF[] { new(0, 0), new(10, 0), new(0, 10), new(10, 10) };
        // Squeezed by 0.9 in x only, which no similarity can do: the least-squares uniform scale is
        // Σ(u·v)/Σ|u|² = (4·22.5 + 4·25)/(4·50) = 0.95, with no rotation and the centre kept.
        var dst = new PointF[] { new(5.5f, 5), new(14.5f, 5), new(5.5f, 15), new(14.5f, 15) };

        var t = SimilarityTransform.Estimate(src, dst);

        Assert.Equal(0.95, t.Scale, 1e-6);
        Assert.Equal(0, t.RotationRadians, 1e-9);
        var centre = t.Apply(new PointF(5, 5));
        Assert.Equal(10, centre.X, 1e-4);
        Assert.Equal(10, centre.Y, 1e-4);
    }

    [Fact]
    public void Inverse_UndoesTheTransform()
    {
        var t = new SimilarityTransform(0.8, -0.3, 4, 9);
        var p = new PointF(17, -3);
        var back = t.Inverse().Apply(t.Apply(p));
        Assert.Equal(p.X, back.X, 1e-4);
        Assert.Equal(p.Y, back.Y, 1e-4);
    }

    [Fact]
    public void Estimate_RejectsDegeneratePoints()
    {
        var same = new PointF[] { new(3, 3), new(3, 3) };
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate(same, same));
    }
}
