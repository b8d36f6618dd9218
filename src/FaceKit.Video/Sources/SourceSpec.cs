using FaceKit.Core.Errors;

namespace FaceKit.Video.Sources;

/// <summary>
/// What to read: a video file, an rtsp:// URL, <c>camera:N</c> (the V4L2 device /dev/videoN) or a folder
/// of images shown as a slideshow. Parsed once from the user's text so every layer agrees on the kind.
/// </summary>
public sealed record SourceSpec(SourceKind Kind, string Location)
{
    public static SourceSpec Parse(string text)
    {
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t)) throw FaceKitException.BadInput("video source is empty");
        if (t.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) || t.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase))
            return new(SourceKind.Rtsp, t);
        if (t.StartsWith("camera:", StringComparison.OrdinalIgnoreCase))
        {
            var n = t["camera:".Length..];
            if (!int.TryParse(n, out var index) || index < 0)
                throw FaceKitException.BadInput($"camera source '{t}': expected camera:N with N a device number");
            return new(SourceKind.Camera, $"/dev/video{index}");
        }
        if (t.StartsWith("/dev/video", StringComparison.Ordinal)) return new(SourceKind.Camera, t);
        if (Directory.Exists(t)) return new(SourceKind.Folder, Path.GetFullPath(t));
        if (File.Exists(t)) return new(SourceKind.File, Path.GetFullPath(t));
        throw FaceKitException.BadInput($"video source '{t}': no such file or folder (expected a file, a folder of images, rtsp://… or camera:N)");
    }

    /// <summary>The location with any password in an rtsp URL replaced, for logs and the UI.</summary>
    public string Display => Kind == SourceKind.Rtsp ? RtspUrl.Redact(Location) : Location;
}
