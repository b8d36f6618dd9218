namespace FaceKit.Video.Processing;

/// <summary>Per-stage figures of the live loop; times are milliseconds averaged over recent frames.</summary>
public sealed record FrameStatistics(
    double InputFps, double ProcessedFps, double LatencyMs, double DetectMs, double EmbedMs, double AnnotateMs,
    long FramesRead, long FramesProcessed, long FramesDropped, int Faces, int Tracks, long Embeddings);
