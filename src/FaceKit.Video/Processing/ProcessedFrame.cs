using FaceKit.Core.Imaging;
using FaceKit.Video.Sources;

namespace FaceKit.Video.Processing;

/// <summary>
/// The result of one processed frame: the frame, its annotated copy (the frame itself unless
/// <see cref="RecognitionOptions.Annotate"/> is on) and the tracks. The frame's pixels are pooled: valid while
/// the result is the loop's latest, or while a reference taken with <see cref="VideoFrame.TryRetain"/> is held.
/// </summary>
public sealed record ProcessedFrame(
    long Sequence, VideoFrame Frame, ImageBuffer Annotated, IReadOnlyList<TrackView> Tracks, int Faces, bool Detected,
    double DetectMs, double EmbedMs, double AnnotateMs);
