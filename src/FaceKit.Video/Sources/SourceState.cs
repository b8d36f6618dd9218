namespace FaceKit.Video.Sources;

public enum SourceState
{
    Connecting,
    Streaming,
    /// <summary>A live source was lost; waiting to try again.</summary>
    Reconnecting,
    /// <summary>A file or slideshow without loop reached its end.</summary>
    Ended,
    /// <summary>The source cannot be opened and will not be retried (missing file, bad format).</summary>
    Failed,
    Stopped,
}

/// <summary>Where a source stands, for the UI: state, the last error (if any) and counters.</summary>
public sealed record SourceStatus(
    SourceState State, string Source, int Width, int Height, double NativeFps,
    long FramesRead, long FramesDropped, int Reconnects, string? LastError);
