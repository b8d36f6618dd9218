using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using OpenCvSharp;

namespace FaceKit.Video.Tracking;

/// <summary>
/// Notices when the picture changes as a whole (a cut in a video, the next image of a slideshow, a camera
/// switched), by comparing a 32×24 grey thumbnail with the previous frame's. Box overlap alone would hand
/// a track, and its name, to whoever stands where the last person stood.
/// </summary>
public sealed class SceneCutDetector(float meanDifference)
{
    private const int W = 32, H = 24;
    private byte[]? _previous;

    public bool IsCut(ImageBuffer frame)
    {
        var current = Thumbnail(frame);
        var previous = _previous;
        _previous = current;
        if (previous is null || meanDifference <= 0) return false;
        long sum = 0;
        for (int i = 0; i < current.Length; i++) sum += Math.Abs(current[i] - previous[i]);
        return (float)sum / current.Length > meanDifference;
    }

    private static byte[] Thumbnail(ImageBuffer frame)
    {
        using var src = MatConversion.Wrap(frame, out var handle);
        try
        {
            using var small = new Mat();
            Cv2.Resize(src, small, new Size(W, H), 0, 0, InterpolationFlags.Area);
            using var grey = new Mat();
            if (small.Channels() == 3) Cv2.CvtColor(small, grey, ColorConversionCodes.BGR2GRAY);
            else small.CopyTo(grey);
            var bytes = new byte[W * H];
            grey.GetArray(out byte[] data);
            data.CopyTo(bytes, 0);
            return bytes;
        }
        finally { handle.Free(); }
    }
}
