using System.Diagnostics;

namespace FaceKit.Video.Sources;

/// <summary>
/// The floor a video benchmark is compared to: ffmpeg decoding into its pipe and this process reading the
/// frames into one reused buffer, nothing else (no thread hand-over, no processing).
/// </summary>
public static class DecodeBaseline
{
    /// <summary>Reads up to <paramref name="maxFrames"/> frames as fast as ffmpeg delivers them; returns how many and how long.</summary>
    public static (long Frames, double Seconds, int Width, int Height) Run(SourceSpec spec, FrameSourceOptions options, long maxFrames)
    {
        if (spec.Kind == SourceKind.Folder) throw new ArgumentException("a slideshow is not decoded by ffmpeg", nameof(spec));
        using var producer = FfmpegProducer.Open(spec, options with { Realtime = false });
        var buffer = new byte[checked(producer.Width * producer.Height * 3)];
        long frames = 0;
        long start = Stopwatch.GetTimestamp();
        while (frames < maxFrames && producer.Read(buffer, CancellationToken.None)) frames++;
        return (frames, Stopwatch.GetElapsedTime(start).TotalSeconds, producer.Width, producer.Height);
    }
}
