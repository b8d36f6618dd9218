using FaceKit.Core.Imaging;
using FaceKit.Video.Tracking;

namespace FaceKit.Video.Tests;

public class SceneCutDetectorTests
{
    private static ImageBuffer Grey(byte level, int noiseSeed = 0)
    {
        var image = ImageBuffer.Create(64, 48, PixelFormat.Bgr24);
        var random = new Random(noiseSeed);
        for (int i = 0; i < image.Array.Length; i++) image.Array[i] = (byte)Math.Clamp(level + random.Next(-5, 6), 0, 255);
        return image;
    }

    [Fact]
    public void SmallChanges_AreNotACut_ANewPictureIs()
    {
        var cuts = new SceneCutDetector(25);
        Assert.False(cuts.IsCut(Grey(100, 1)));
        Assert.False(cuts.IsCut(Grey(104, 2)));
        Assert.True(cuts.IsCut(Grey(200, 3)));
        Assert.False(cuts.IsCut(Grey(198, 4)));
    }
}
