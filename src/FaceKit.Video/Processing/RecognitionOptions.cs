using FaceKit.Inference.Detection;

namespace FaceKit.Video.Processing;

/// <summary>How frames are turned into named tracks. The defaults suit 640×480 at 25 fps on two cores.</summary>
public sealed record RecognitionOptions
{
    /// <summary>Run the detector on every k-th processed frame; tracks keep their last box in between.</summary>
    public int DetectEvery { get; init; } = 1;

    /// <summary>Embed a known track again after this many processed frames, so a wrong first look gets corrected.</summary>
    public int RecheckEvery { get; init; } = 25;

    /// <summary>Recognition results kept per track; the name shown is the majority over them.</summary>
    public int Votes { get; init; } = 5;

    /// <summary>
    /// A re-check whose embedding is less similar than this to the track's previous one means another person
    /// took the track's place (a scene cut); the track's earlier votes are then forgotten.
    /// </summary>
    public float SamePersonSimilarity { get; init; } = 0.2f;

    /// <summary>
    /// Mean grey-level change (0–255) of the whole picture between processed frames above which the scene is
    /// taken as cut: every track ends and the faces after it start new ones. 0 turns the check off.
    /// </summary>
    public float SceneCutDifference { get; init; } = 25f;

    /// <summary>
    /// "DNN resize": frames whose longer side exceeds this are shrunk to it before detection (boxes are mapped
    /// back, embedding uses the full frame). 0 detects on the frame as it is. Independent of the stream size.
    /// Used only when <see cref="DetectorInput"/> is (0, 0): otherwise the frame goes straight to the detector's size.
    /// </summary>
    public int DetectionMaxSide { get; init; } = 640;

    /// <summary>
    /// The detector's own input size (the bundled RFB-320 detector stretches every image to 320×240). Frames are
    /// shrunk straight to it once per detection, into a buffer reused from frame to frame, instead of being resized
    /// (and allocated) again inside the detector. (0, 0) hands the frame (after <see cref="DetectionMaxSide"/>) to
    /// the detector as it is, for a detector of another input size.
    /// </summary>
    public (int Width, int Height) DetectorInput { get; init; } = (320, 240);

    /// <summary>Similarity at or above which the best gallery match names a face.</summary>
    public float Threshold { get; init; } = 0.33f;

    /// <summary>
    /// Draw boxes, names and similarities onto a copy of every processed frame. Off by default: the live view
    /// draws only the frames it sends, at its own size and rate (<see cref="FrameViewEncoder"/>), when someone watches.
    /// </summary>
    public bool Annotate { get; init; }

    public Tracking.TrackerOptions Tracker { get; init; } = new();

    /// <summary>
    /// Detector settings for video: no tiling, no bordered retry and no whole-image fallback, which help
    /// single photos but in a video cost time on every empty frame or invent a face.
    /// </summary>
    public static DetectorOptions VideoDetection { get; } = new()
    {
        TileAboveInputMultiple = 0,
        RetryWithBorder = false,
        CropFallbackMaxSide = 0,
    };
}
