using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using FaceKit.Testing;

namespace FaceKit.Inference.Tests;

public class ImageLoaderTests
{
    private readonly ImageLoader _loader = new();

    [SharedDataFact]
    public void Jpeg_DecodesToBgrOfTheHeaderSize()
    {
        var image = _loader.Load(SharedData.Path("unit", "images", "Aaron_Peirsol", "Aaron_Peirsol_0001.jpg"));
        Assert.Equal((250, 250, PixelFormat.Bgr24), (image.Width, image.Height, image.Format));
    }

    [SharedDataFact]
    public void GrayscalePgm_Decodes()
    {
        var image = _loader.Load(SharedData.Path("orl", "s1", "1.pgm"));
        Assert.Equal((92, 112), (image.Width, image.Height));
    }

    [SharedDataFact]
    public void WebPWithAJpgExtension_DecodesByContent()
    {
        var image = _loader.Load(SharedData.Path("photos", "images", "id03", "img47.jpg"));
        Assert.True(image.Width > 100 && image.Height > 100);
    }

    [SharedDataFact]
    public void TruncatedJpeg_IsRefused()
    {
        var bytes = File.ReadAllBytes(SharedData.Path("unit", "images", "Aaron_Peirsol", "Aaron_Peirsol_0001.jpg"));
        AssertBadInput(bytes[..(bytes.Length / 2)], "truncated");
    }

    [Fact]
    public void EmptyData_IsRefused() => AssertBadInput([], "empty");

    [Fact]
    public void TextFile_IsRefused() => AssertBadInput("hello, I am not a picture\n"u8.ToArray(), "not an image");

    [Fact]
    public void HugeDimensionsInTheHeader_AreRefusedBeforeDecoding()
    {
        // A PNG signature and IHDR claiming 20000×20000 (400 MP): refused from the header alone.
        var png = new byte[33];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(png, 0);
        png[11] = 13;
        "IHDR"u8.CopyTo(png.AsSpan(12));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 20000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 20000);
        png[24] = 8; png[25] = 2;
        AssertBadInput(png, "limit");
    }

    [SharedDataFact]
    public void Png_RoundTripsThroughTheDecoder()
    {
        var original = _loader.Load(SharedData.Path("orl", "s1", "1.pgm"));
        OpenCvSharp.Cv2.ImEncode(".png", OpenCvSharp.Mat.FromPixelData(original.Height, original.Width, OpenCvSharp.MatType.CV_8UC3, original.Array), out var png);
        Assert.Equal(new ImageHeader("png", 92, 112), ImageHeader.TryRead(png));
        Assert.Equal(original.Array, _loader.Decode(png, "x.png").Array);
    }

    [Fact]
    public void MissingFile_IsBadInput()
    {
        var e = Assert.Throws<FaceKitException>(() => _loader.Load("/nonexistent/face.jpg"));
        Assert.Equal(ErrorCode.BadInput, e.Code);
    }

    [Fact]
    public void Header_ReadsJpegPngWebpAndPgmDimensions()
    {
        Assert.Equal(new ImageHeader("pnm", 92, 112), ImageHeader.TryRead("P5\n# comment\n92 112\n255\n"u8));
        Assert.Null(ImageHeader.TryRead("GIF"u8));
    }

    private void AssertBadInput(byte[] data, string messagePart)
    {
        var e = Assert.Throws<FaceKitException>(() => _loader.Decode(data, "x.jpg"));
        Assert.Equal(ErrorCode.BadInput, e.Code);
        Assert.Contains(messagePart, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
