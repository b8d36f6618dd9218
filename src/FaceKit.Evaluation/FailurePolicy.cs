namespace FaceKit.Evaluation;

/// <summary>How a comparison that involves an image without a template enters the error rates.</summary>
public enum FailurePolicy
{
    /// <summary>
    /// ISO/IEC 19795-1: the comparison is a non-match at every threshold, so a genuine one is a false
    /// non-match and an impostor one a correct reject. Internally its score is −∞.
    /// </summary>
    CountAsNonMatch,

    /// <summary>The comparison is left out of every rate (reported separately).</summary>
    Exclude,
}
