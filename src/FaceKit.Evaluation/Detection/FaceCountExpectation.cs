namespace FaceKit.Evaluation.Detection;

/// <summary>
/// What a detector should find in one image: between <see cref="Min"/> and <see cref="Max"/> faces, and, for
/// LFW-style crops, a box over the image centre (where the labelled person is).
/// </summary>
public sealed record FaceCountExpectation(int Min, int Max, bool MustCoverCentre = false)
{
    /// <summary>One labelled face per photo, as in identity-folder sets.</summary>
    public static FaceCountExpectation OneFace { get; } = new(1, 1);

    /// <summary>LFW: the labelled person is the centred face; others may stand behind.</summary>
    public static FaceCountExpectation CentredFace { get; } = new(1, 1, MustCoverCentre: true);
}
