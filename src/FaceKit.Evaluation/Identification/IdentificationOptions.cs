using FaceKit.Evaluation.Extraction;

namespace FaceKit.Evaluation.Identification;

public sealed record IdentificationOptions
{
    public ExtractionOptions Extraction { get; init; } = new();

    public FailurePolicy FailurePolicy { get; init; } = FailurePolicy.CountAsNonMatch;

    /// <summary>Share of identities kept out of the gallery; all their images become non-mated probes.</summary>
    public double HeldOutFraction { get; init; } = 0.2;

    /// <summary>Seed of the shuffle that picks the held-out identities.</summary>
    public int Seed { get; init; } = 12345;

    /// <summary>Length of the reported CMC curve.</summary>
    public int MaxRank { get; init; } = 10;

    public IReadOnlyList<double> FpirTargets { get; init; } = [1e-2];
}
