using FaceKit.Core.Alignment;
using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;

namespace FaceKit.Core.Tests.Alignment;

public class FaceAlignerTests
{
    [Fact]
    public void AlignedLandmarks_LandWithinThreePixelsOfTheTemplate()
    {
        // A face rotated by 20°, scaled ×2.1 and shifted, with a few pixels of landmark noise.
        var truth = new SimilarityTransform(2.1 * Math.Cos(0.35), 2.1 * Math.Sin(0.35), 140, 60);
        var template = ArcFaceTemplate.Points112;
        var noise = new[] { (1.2f, -0.8f), (-1.0f, 0.6f), (0.5f, 1.1f), (-0.7f, -1.2f), (0.9f, 0.4f) };
        var inv = truth;
        var pts = Enumerable.Range(0, 5).Select(i =>
        {
            var p = inv.Apply(template[i]);
            return new PointF(p.X + noise[i].Item1, p.Y + noise[i].Item2);
        }).ToArray();
        var landmarks = Landmarks5.FromPoints(pts);

        var t = FaceAligner.TransformFor(landmarks);

        for (int i = 0; i < 5; i++)
        {
            var aligned = t.Apply(landmarks[i]);
            float d = MathF.Sqrt(MathF.Pow(aligned.X - template[i].X, 2) + MathF.Pow(aligned.Y - template[i].Y, 2));
            Assert.True(d < 3f, $"point {i} lands {d:F2} px from the template");
        }
    }

    [Fact]
    public void Align_MovesAMarkedPixelToItsTemplatePosition()
    {
        // A bright 3×3 dot at the source position of the nose must end up at the template's nose.
        var image = ImageBuffer.Create(300, 300, PixelFormat.Gray8);
        var truth = new SimilarityTransform(2, 0, 50, 40); // template → image
        var lm = Landmarks5.FromPoints(Enumerable.Range(0, 5).Select(i => truth.Apply(ArcFaceTemplate.Points112[i])).ToArray());
        var nose = lm.Nose;
        for (int dy = -2; dy <= 2; dy++)
        for (int dx = -2; dx <= 2; dx++)
            image.Pixels[((int)nose.Y + dy) * image.Stride + (int)nose.X + dx] = 255;

        var aligned = FaceAligner.Align(image, lm);

        Assert.Equal(112, aligned.Width);
        var expected = ArcFaceTemplate.Points112.Nose;
        Assert.True(aligned.Pixels[(int)expected.Y * aligned.Stride + (int)expected.X] > 200);
        Assert.Equal(0, aligned.Pixels[10 * aligned.Stride + 10]);
    }
}
