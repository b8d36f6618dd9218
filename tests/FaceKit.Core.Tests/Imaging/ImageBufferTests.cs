using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;

namespace FaceKit.Core.Tests.Imaging;

public class ImageBufferTests
{
    [Fact]
    public void FlipHorizontal_MirrorsEachRow()
    {
        var image = new ImageBuffer(3, 1, PixelFormat.Rgb24, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Assert.Equal(new byte[] { 7, 8, 9, 4, 5, 6, 1, 2, 3 }, image.FlipHorizontal().Array);
    }

    [Fact]
    public void ToBgr_SwapsRgbAndExpandsGray()
    {
        Assert.Equal(new byte[] { 3, 2, 1 }, new ImageBuffer(1, 1, PixelFormat.Rgb24, [1, 2, 3]).ToBgr().Array);
        Assert.Equal(new byte[] { 9, 9, 9 }, new ImageBuffer(1, 1, PixelFormat.Gray8, [9]).ToBgr().Array);
    }

    [Fact]
    public void Crop_CopiesTheRectangle_AndRefusesOneOutside()
    {
        var image = new ImageBuffer(3, 2, PixelFormat.Gray8, [1, 2, 3, 4, 5, 6]);
        Assert.Equal(new byte[] { 2, 3, 5, 6 }, image.Crop(1, 0, 2, 2).Array);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Crop(2, 0, 2, 2));
    }

    [Fact]
    public void Constructor_RefusesABufferTooSmallForItsSize()
    {
        var e = Assert.Throws<FaceKitException>(() => new ImageBuffer(10, 10, PixelFormat.Bgr24, new byte[100]));
        Assert.Equal(ErrorCode.BadInput, e.Code);
    }
}
