namespace FaceKit.Video.Sources;

/// <summary>One opened connection to a source, delivering packed BGR frames of a fixed size.</summary>
internal interface IFrameProducer : IDisposable
{
    int Width { get; }
    int Height { get; }
    double Fps { get; }

    /// <summary>Fills <paramref name="frame"/> (Width × Height × 3 bytes); false at the end of the stream.</summary>
    bool Read(byte[] frame, CancellationToken cancel);

    /// <summary>Why the stream ended, when it ended badly (ffmpeg's last error lines).</summary>
    string? Error { get; }
}
