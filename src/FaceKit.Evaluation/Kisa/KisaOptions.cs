using FaceKit.Evaluation.Extraction;

namespace FaceKit.Evaluation.Kisa;

public sealed record KisaOptions
{
    /// <summary>Highest EER that passes, per category; a category without an entry is reported without a verdict.</summary>
    public static readonly IReadOnlyDictionary<string, double> DefaultCriteria = new Dictionary<string, double>
    {
        ["lighting"] = 0.01,
        ["expression"] = 0.02,
        ["pose"] = 0.02,
        ["accessory"] = 0.015,
    };

    public ExtractionOptions Extraction { get; init; } = new();

    public FailurePolicy FailurePolicy { get; init; } = FailurePolicy.CountAsNonMatch;

    public IReadOnlyDictionary<string, double> MaxEer { get; init; } = DefaultCriteria;

    /// <summary>Threshold for the reported FMR/FNMR; null = the EER threshold of all comparisons pooled.</summary>
    public double? Threshold { get; init; }
}
