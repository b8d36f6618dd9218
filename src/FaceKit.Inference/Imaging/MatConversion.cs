using System.Runtime.InteropServices;
using FaceKit.Core.Imaging;
using OpenCvSharp;

namespace FaceKit.Inference.Imaging;

/// <summary>Copies between OpenCV matrices and FaceKit's own <see cref="ImageBuffer"/>, and wraps one without copying.</summary>
public static class MatConversion
{
    public static ImageBuffer ToImageBuffer(Mat mat)
    {
        var format = mat.Channels() switch
        {
            1 => PixelFormat.Gray8,
            3 => PixelFormat.Bgr24,
            _ => throw new NotSupportedException($"{mat.Channels()}-channel images are not supported"),
        };
        if (mat.Depth() != MatType.CV_8U) throw new NotSupportedException("only 8-bit images are supported");
        var image = ImageBuffer.Create(mat.Width, mat.Height, format);
        int rowBytes = image.Width * image.Channels, height = image.Height;
        var dst = image.Array;
        for (int y = 0; y < height; y++)
            Marshal.Copy(mat.Ptr(y), dst, y * image.Stride, rowBytes);
        return image;
    }

    /// <summary>A Mat header over the buffer's pixels; valid only while <paramref name="handle"/> is held.</summary>
    public static Mat Wrap(ImageBuffer image, out GCHandle handle)
    {
        handle = GCHandle.Alloc(image.Array, GCHandleType.Pinned);
        var type = image.Format == PixelFormat.Gray8 ? MatType.CV_8UC1 : MatType.CV_8UC3;
        return Mat.FromPixelData(image.Height, image.Width, type, handle.AddrOfPinnedObject(), image.Stride);
    }

    /// <summary>Resizes with area averaging when shrinking (no aliasing on large photos), bilinear when enlarging.</summary>
    public static ImageBuffer Resize(ImageBuffer image, int width, int height)
    {
        using var src = Wrap(image, out var handle);
        try
        {
            using var dst = new Mat();
            var interpolation = width < image.Width && height < image.Height ? InterpolationFlags.Area : InterpolationFlags.Linear;
            Cv2.Resize(src, dst, new Size(width, height), 0, 0, interpolation);
            return ToImageBuffer(dst);
        }
        finally { handle.Free(); }
    }

    /// <summary>Adds a constant border around the image (used to detect faces that fill the whole picture).</summary>
    public static ImageBuffer Pad(ImageBuffer image, int left, int top, int right, int bottom, byte value)
    {
        using var src = Wrap(image, out var handle);
        try
        {
            using var dst = new Mat();
            Cv2.CopyMakeBorder(src, dst, top, bottom, left, right, BorderTypes.Constant, Scalar.All(value));
            return ToImageBuffer(dst);
        }
        finally { handle.Free(); }
    }
}
