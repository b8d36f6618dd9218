namespace FaceKit.Inference.Detection;

/// <summary>Detector thresholds and the strategies for faces too small or too large for a 320×240 input.</summary>
public sealed record DetectorOptions
{
    public float ScoreThreshold { get; init; } = 0.65f;

    public float NmsIou { get; init; } = 0.4f;

    public int TopK { get; init; } = 750;

    /// <summary>
    /// Also detect on overlapping tiles when the image is larger than this many times the model input, so
    /// faces a few percent of the width wide are found in big photographs. 0 disables tiling.
    /// </summary>
    public float TileAboveInputMultiple { get; init; } = 2.5f;

    /// <summary>
    /// When nothing is found, detect again on the image padded with a grey border: a face that fills the
    /// whole picture (ID photo, tight crop) then looks like the faces the detector was trained on.
    /// </summary>
    public bool RetryWithBorder { get; init; } = true;

    /// <summary>
    /// Images no larger than this on their longer side are searched with the border first, and without it
    /// only when that finds nothing: in a tight crop the detector otherwise finds part of the face (measured
    /// on Extended Yale B: nose-and-mouth boxes that ruined the alignment). 224 keeps 250×250 LFW photos,
    /// whose faces are 40 % of the width, on the ordinary path. 0 disables it.
    /// </summary>
    public int AlwaysBorderMaxSide { get; init; } = 224;

    /// <summary>Score threshold for the bordered retry: a face is known to be expected there, so accept weaker evidence.</summary>
    public float RetryScoreThreshold { get; init; } = 0.3f;

    /// <summary>
    /// An image no larger than this on its longer side, in which no face is detected even with a border, is
    /// taken as a face crop (ID photo, ORL, Yale B) and the whole image becomes the face box; landmarks are
    /// still located by the landmarker. 0 disables the fallback.
    /// </summary>
    public int CropFallbackMaxSide { get; init; } = 256;

    /// <summary>Border width as a fraction of the larger image side, per side.</summary>
    public float BorderFraction { get; init; } = 0.35f;

    /// <summary>Smallest face side kept, in pixels of the original image.</summary>
    public float MinFaceSize { get; init; } = 12f;
}
