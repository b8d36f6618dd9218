using System.Globalization;

namespace FaceKit.Video.Sources;

/// <summary>
/// The ffmpeg and ffprobe command lines for each source kind. Every source goes through ffmpeg writing
/// raw bgr24 to a pipe: OpenCV's bundled FFmpeg has no network support, and one path is simplest.
/// </summary>
internal static class FfmpegArguments
{
    public static List<string> Decode(SourceSpec spec, FrameSourceOptions options, int width, int height)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error" };
        switch (spec.Kind)
        {
            case SourceKind.File:
                if (options.Realtime) args.Add("-re");
                if (options.Loop) args.AddRange(["-stream_loop", "-1"]);
                break;
            case SourceKind.Rtsp:
                args.AddRange(["-rtsp_transport", "tcp", "-timeout", Microseconds(options.NetworkTimeout)]);
                args.AddRange(["-fflags", "nobuffer", "-flags", "low_delay"]);
                break;
            case SourceKind.Camera:
                args.AddRange(["-f", "v4l2"]);
                if (options.Fps > 0) args.AddRange(["-framerate", Number(options.Fps)]);
                if (options.Width > 0 && options.Height > 0) args.AddRange(["-video_size", $"{options.Width}x{options.Height}"]);
                break;
            default:
                throw new ArgumentException($"{spec.Kind} sources are not decoded by ffmpeg", nameof(spec));
        }
        args.AddRange(["-i", spec.Location, "-an", "-sn", "-dn"]);
        var filters = new List<string>();
        if (options.Fps > 0 && spec.Kind != SourceKind.Camera) filters.Add("fps=" + Number(options.Fps));
        filters.Add($"scale={width}:{height}");
        args.AddRange(["-vf", string.Join(',', filters), "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"]);
        return args;
    }

    public static List<string> Probe(SourceSpec spec, FrameSourceOptions options)
    {
        var args = new List<string> { "-v", "error" };
        if (spec.Kind == SourceKind.Rtsp) args.AddRange(["-rtsp_transport", "tcp", "-timeout", Microseconds(options.NetworkTimeout)]);
        if (spec.Kind == SourceKind.Camera) args.AddRange(["-f", "v4l2"]);
        args.AddRange(["-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate", "-of", "csv=p=0", spec.Location]);
        return args;
    }

    private static string Microseconds(TimeSpan t) => ((long)t.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);

    private static string Number(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
