namespace FaceKit.Core.Imaging;

/// <summary>Byte layout of one pixel in an <see cref="ImageBuffer"/>.</summary>
public enum PixelFormat
{
    Bgr24,
    Rgb24,
    Gray8,
}

public static class PixelFormatExtensions
{
    public static int BytesPerPixel(this PixelFormat format) => format == PixelFormat.Gray8 ? 1 : 3;
}
