using FaceKit.Core.Metrics;
using FaceKit.Evaluation.Extraction;

namespace FaceKit.Evaluation.Verification;

public sealed record VerificationOptions
{
    public ExtractionOptions Extraction { get; init; } = new();

    public FailurePolicy FailurePolicy { get; init; } = FailurePolicy.CountAsNonMatch;

    public IReadOnlyList<double> FprTargets { get; init; } = VerificationMetrics.DefaultFprTargets;

    /// <summary>Confidence intervals; null = none (faster).</summary>
    public BootstrapOptions? Bootstrap { get; init; } = new();
}
