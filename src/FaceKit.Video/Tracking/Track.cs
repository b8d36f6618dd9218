using FaceKit.Core.Geometry;

namespace FaceKit.Video.Tracking;

/// <summary>One face followed across frames. Mutable, owned by the <see cref="IouTracker"/> and its loop thread.</summary>
public sealed class Track(int id, DetectedFace face, long frame)
{
    public int Id { get; } = id;
    public DetectedFace Face { get; internal set; } = face;
    public BoxF Box => Face.Box;
    public long FirstFrame { get; } = frame;
    public long LastSeenFrame { get; internal set; } = frame;
    public int Hits { get; internal set; } = 1;
    public int Missed { get; internal set; }
}
