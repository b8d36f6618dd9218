using System.Globalization;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using OpenCvSharp;

namespace FaceKit.Video.Processing;

/// <summary>Draws each track's box, name (or "unknown") and similarity onto a frame or a view of it.</summary>
public static class FrameAnnotator
{
    private static readonly Scalar Known = new(80, 200, 60), Unknown = new(0, 160, 255);

    /// <summary>An annotated copy of <paramref name="frame"/> (the frame itself is left as it is).</summary>
    public static ImageBuffer Draw(ImageBuffer frame, IReadOnlyList<TrackView> tracks)
    {
        var copy = new ImageBuffer(frame.Width, frame.Height, frame.Format, (byte[])frame.Array.Clone(), frame.Stride);
        using var mat = MatConversion.Wrap(copy, out var handle);
        try { Draw(mat, tracks, 1f, 1f); }
        finally { handle.Free(); }
        return copy;
    }

    /// <summary>Draws in place onto <paramref name="view"/>, whose pixels are the frame's scaled by (sx, sy).</summary>
    public static void Draw(Mat view, IReadOnlyList<TrackView> tracks, float sx, float sy)
    {
        int width = view.Width, height = view.Height;
        double fontScale = Math.Clamp(height / 900.0, 0.4, 1.2);
        int thickness = height >= 720 ? 2 : 1;
        foreach (var t in tracks)
        {
            var color = t.Name is null ? Unknown : Known;
            var b = t.Box.Scale(sx, sy).Clip(width - 1, height - 1);
            var rect = new Rect((int)b.X1, (int)b.Y1, Math.Max(1, (int)b.Width), Math.Max(1, (int)b.Height));
            Cv2.Rectangle(view, rect, color, thickness + 1);
            var label = t.Name is null
                ? $"#{t.Id} unknown"
                : $"#{t.Id} {Ascii(t.Name)} {t.Similarity.ToString("0.00", CultureInfo.InvariantCulture)}";
            var size = Cv2.GetTextSize(label, HersheyFonts.HersheySimplex, fontScale, thickness, out int baseline);
            int y = rect.Y - size.Height - baseline - 2 >= 0 ? rect.Y - baseline - 2 : rect.Bottom + size.Height + 2;
            Cv2.Rectangle(view, new Rect(rect.X, y - size.Height - 2, size.Width + 4, size.Height + baseline + 4), color, -1);
            Cv2.PutText(view, label, new Point(rect.X + 2, y), HersheyFonts.HersheySimplex, fontScale, Scalar.Black, thickness, LineTypes.AntiAlias);
        }
    }

    // OpenCV's Hershey fonts draw ASCII only; other letters would come out as '?', so keep what can be drawn.
    private static string Ascii(string s) => new(s.Select(c => c < 128 ? c : '?').ToArray());
}
