namespace FaceKit.Video.Tracking;

public sealed record TrackerOptions
{
    /// <summary>Smallest box overlap that continues a track.</summary>
    public float MinIoU { get; init; } = 0.3f;

    /// <summary>Detection rounds a track survives unseen (a blink of the detector must not start a new identity).</summary>
    public int MaxMissed { get; init; } = 5;
}
