namespace FaceKit.Core.Metrics;

/// <summary>
/// What one identification search returned. For a mated search (the probe's identity is enrolled),
/// <see cref="MateRank"/> is the 1-based rank of the mate among gallery identities and
/// <see cref="MateScore"/> its score; <see cref="NotFound"/> marks a mated search that could not find
/// its mate at all (a failure to acquire the probe or to enrol the mate). For a non-mated search both are
/// unused. <see cref="TopScore"/> is the best score over all identities (−∞ when nothing was compared).
/// </summary>
public readonly record struct SearchOutcome(bool Mated, int MateRank, double MateScore, double TopScore)
{
    public const int NotFound = int.MaxValue;

    public static SearchOutcome Failed(bool mated) =>
        new(mated, mated ? NotFound : 0, double.NegativeInfinity, double.NegativeInfinity);
}
