using FaceKit.Core.Imaging;
using FaceKit.Video.Sources;

namespace FaceKit.Video.Processing;

/// <summary>The result of one processed frame: the frame, its annotated copy (or the frame itself) and the tracks.</summary>
public sealed record ProcessedFrame(
    long Sequence, VideoFrame Frame, ImageBuffer Annotated, IReadOnlyList<TrackView> Tracks, int Faces, bool Detected,
    double DetectMs, double EmbedMs, double AnnotateMs);
