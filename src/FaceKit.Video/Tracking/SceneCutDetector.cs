using FaceKit.Core.Imaging;

namespace FaceKit.Video.Tracking;

/// <summary>
/// Notices when the picture changes as a whole (a cut in a video, the next image of a slideshow, a camera
/// switched), by comparing a 32×24 grey thumbnail with the previous frame's. Box overlap alone would hand
/// a track, and its name, to whoever stands where the last person stood.
/// </summary>
public sealed class SceneCutDetector(float meanDifference)
{
    private const int W = 32, H = 24, Samples = 4;
    private byte[] _current = new byte[W * H], _previous = new byte[W * H];
    private bool _havePrevious;

    public bool IsCut(ImageBuffer frame)
    {
        (_previous, _current) = (_current, _previous);
        Thumbnail(frame, _current);
        bool had = _havePrevious;
        _havePrevious = true;
        if (!had || meanDifference <= 0) return false;
        long sum = 0;
        for (int i = 0; i < _current.Length; i++) sum += Math.Abs(_current[i] - _previous[i]);
        return (float)sum / _current.Length > meanDifference;
    }

    /// <summary>
    /// Each thumbnail pixel is the mean grey of a 4×4 grid of samples spread over its cell: a few thousand reads
    /// instead of a full-frame resize, with no allocation, and steady enough for a whole-picture change test.
    /// </summary>
    private static void Thumbnail(ImageBuffer frame, byte[] into)
    {
        int c = frame.Channels, w = frame.Width, h = frame.Height;
        var pixels = frame.Array;
        for (int ty = 0; ty < H; ty++)
        for (int tx = 0; tx < W; tx++)
        {
            int sum = 0;
            for (int sy = 0; sy < Samples; sy++)
            {
                int y = Math.Min(h - 1, (ty * Samples + sy) * h / (H * Samples) + h / (2 * H * Samples));
                int row = y * frame.Stride;
                for (int sx = 0; sx < Samples; sx++)
                {
                    int x = Math.Min(w - 1, (tx * Samples + sx) * w / (W * Samples) + w / (2 * W * Samples));
                    int p = row + x * c;
                    // BT.601 luma in integers for 3 channels (BGR or RGB weigh the outer two alike enough here).
                    sum += c >= 3 ? (pixels[p] * 29 + pixels[p + 1] * 150 + pixels[p + 2] * 77) >> 8 : pixels[p];
                }
            }
            into[ty * W + tx] = (byte)(sum / (Samples * Samples));
        }
    }
}
