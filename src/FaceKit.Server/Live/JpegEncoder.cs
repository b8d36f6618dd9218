using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using OpenCvSharp;

namespace FaceKit.Server.Live;

/// <summary>JPEG encoding of frames, view-size scaling and face crops, with OpenCV.</summary>
internal static class JpegEncoder
{
    public static byte[] Encode(ImageBuffer image, int width = 0, int height = 0, int quality = 80) =>
        FaceKit.Video.Processing.FrameViewEncoder.Encode(image, width, height, quality);

    /// <summary>The face box grown by a margin, cut from the frame, at most <paramref name="maxSide"/> pixels on its longer side.</summary>
    public static byte[] Crop(ImageBuffer image, BoxF box, int maxSide = 200)
    {
        float mx = box.Width * 0.25f, my = box.Height * 0.25f;
        var b = new BoxF(box.X1 - mx, box.Y1 - my, box.X2 + mx, box.Y2 + my).Clip(image.Width, image.Height);
        int x = (int)b.X1, y = (int)b.Y1, w = Math.Max(1, (int)b.Width), h = Math.Max(1, (int)b.Height);
        var crop = ImageBuffer.Create(w, h, image.Format);
        int c = image.Channels;
        for (int row = 0; row < h; row++)
            image.Array.AsSpan((y + row) * image.Stride + x * c, w * c).CopyTo(crop.Array.AsSpan(row * crop.Stride));
        float scale = Math.Min(1f, (float)maxSide / Math.Max(w, h));
        return scale < 1 ? Encode(crop, Math.Max(1, (int)(w * scale)), Math.Max(1, (int)(h * scale)), 90) : Encode(crop, quality: 90);
    }
}
