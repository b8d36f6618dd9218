namespace FaceKit.Video.Sources;

/// <summary>How a source is decoded. Width/Height 0 keep the stream's own size (probed with ffprobe).</summary>
public sealed record FrameSourceOptions
{
    /// <summary>Output frame size; 0 × 0 keeps the source size. Both or neither must be set.</summary>
    public int Width { get; init; }

    public int Height { get; init; }

    /// <summary>Frames per second to deliver; 0 keeps the source rate (a slideshow then shows 25 fps).</summary>
    public double Fps { get; init; }

    /// <summary>Play a file at its own speed, as a camera would deliver it; false decodes as fast as possible.</summary>
    public bool Realtime { get; init; } = true;

    /// <summary>
    /// When the consumer is slower than the source, replace the untaken frame (true: live behaviour, bounded
    /// latency) or make the reader wait for it (false: every frame is processed; for benchmarks on files).
    /// </summary>
    public bool DropFrames { get; init; } = true;

    /// <summary>Start a file or slideshow again when it ends.</summary>
    public bool Loop { get; init; } = true;

    /// <summary>How long each image of a folder slideshow stays on screen.</summary>
    public TimeSpan SlideDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Network read timeout for RTSP; a silent camera counts as lost after this.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First wait before reconnecting a lost live source; doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The ffmpeg and ffprobe programs (Debian's by default).</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    public string FfprobePath { get; init; } = "ffprobe";
}
