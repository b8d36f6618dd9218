using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using OpenCvSharp;

namespace FaceKit.Video.Processing;

/// <summary>
/// The live view of a processed frame as JPEG: scaled to the view size first, then the boxes and names drawn at
/// that size, then encoded, all in one native scratch image (no managed copy of the frame). Called only for the
/// frames a browser is sent, so a stream nobody watches costs no drawing or encoding.
/// </summary>
public static class FrameViewEncoder
{
    /// <summary>The JPEG of <paramref name="frame"/> at width × height (0 × 0: the frame's size); null when its pixels were already recycled.</summary>
    public static byte[]? Encode(ProcessedFrame frame, int width, int height, int quality = 80)
    {
        var image = frame.Frame.Image;
        if (width <= 0 || height <= 0) (width, height) = (image.Width, image.Height);
        if (!frame.Frame.TryRetain()) return null;
        bool retained = true;
        try
        {
            using var src = MatConversion.Wrap(image, out var handle);
            using var view = new Mat();
            try
            {
                if (width == image.Width && height == image.Height) src.CopyTo(view);
                else
                {
                    var interpolation = width < image.Width && height < image.Height ? InterpolationFlags.Area : InterpolationFlags.Linear;
                    Cv2.Resize(src, view, new Size(width, height), 0, 0, interpolation);
                }
            }
            finally { handle.Free(); }
            frame.Frame.Release();
            retained = false;
            FrameAnnotator.Draw(view, frame.Tracks, (float)width / image.Width, (float)height / image.Height);
            Cv2.ImEncode(".jpg", view, out var bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
            return bytes;
        }
        finally
        {
            if (retained) frame.Frame.Release();
        }
    }

    /// <summary>A plain JPEG of an image, resized to width × height when given.</summary>
    public static byte[] Encode(ImageBuffer image, int width = 0, int height = 0, int quality = 80)
    {
        if (width > 0 && height > 0 && (width != image.Width || height != image.Height)) image = MatConversion.Resize(image, width, height);
        using var mat = MatConversion.Wrap(image, out var handle);
        try
        {
            Cv2.ImEncode(".jpg", mat, out var bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
            return bytes;
        }
        finally { handle.Free(); }
    }
}
