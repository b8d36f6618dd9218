using System.Text.Json.Serialization;
using FaceKit.Evaluation.Verification;

namespace FaceKit.Evaluation.Kisa;

/// <summary>
/// Per-category verification results against certification-style EER criteria. Every probe is compared
/// with every enrolled subject of its category: the own subject gives a genuine comparison, the others
/// impostor comparisons.
/// </summary>
public sealed record KisaReport
{
    [JsonPropertyName("model_id")] public required string ModelId { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("protocol")] public string Protocol { get; init; } = "kisa-categories";
    [JsonPropertyName("failure_policy")] public required string FailurePolicy { get; init; }
    /// <summary>Threshold of the reported FMR/FNMR.</summary>
    [JsonPropertyName("threshold")] public required double? Threshold { get; init; }
    /// <summary>"given" or "pooled_eer" (the EER threshold of all comparisons together).</summary>
    [JsonPropertyName("threshold_origin")] public required string ThresholdOrigin { get; init; }
    [JsonPropertyName("subjects")] public required int Subjects { get; init; }
    [JsonPropertyName("enrolment_images")] public required int EnrolmentImages { get; init; }
    [JsonPropertyName("probe_images")] public required int ProbeImages { get; init; }
    /// <summary>Subjects none of whose enrolment images gave a template (FTE, ISO/IEC 19795-1).</summary>
    [JsonPropertyName("failures_to_enrol")] public required int FailuresToEnrol { get; init; }
    [JsonPropertyName("failed_enrolments")] public required IReadOnlyList<string> FailedEnrolments { get; init; }
    /// <summary>Probe images without a template (FTA).</summary>
    [JsonPropertyName("failures_to_acquire")] public required int FailuresToAcquire { get; init; }
    [JsonPropertyName("failed_images")] public required IReadOnlyList<FailedImage> FailedImages { get; init; }
    [JsonPropertyName("pass")] public required bool Pass { get; init; }
    [JsonPropertyName("categories")] public required IReadOnlyList<CategoryResult> Categories { get; init; }
    [JsonPropertyName("notes")] public required IReadOnlyList<string> Notes { get; init; }
    [JsonPropertyName("timing")] public required Timing Timing { get; init; }
}

/// <summary>Rates of one group of comparisons (a category pooled, or one condition of it).</summary>
public sealed record GroupRates(
    [property: JsonPropertyName("probes")] int Probes,
    [property: JsonPropertyName("failures_to_acquire")] int FailuresToAcquire,
    [property: JsonPropertyName("genuine_comparisons")] int GenuineComparisons,
    [property: JsonPropertyName("impostor_comparisons")] int ImpostorComparisons,
    [property: JsonPropertyName("eer")] double? Eer,
    [property: JsonPropertyName("eer_threshold")] double? EerThreshold,
    [property: JsonPropertyName("fmr")] double? Fmr,
    [property: JsonPropertyName("fnmr")] double? Fnmr,
    [property: JsonPropertyName("pass")] bool? Pass,
    [property: JsonPropertyName("not_estimable_reason")] string? NotEstimableReason);

public sealed record ConditionResult(
    [property: JsonPropertyName("condition")] string Condition,
    [property: JsonPropertyName("rates")] GroupRates Rates);

public sealed record CategoryResult(
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("max_eer")] double? MaxEer,
    [property: JsonPropertyName("rates")] GroupRates Rates,
    [property: JsonPropertyName("conditions")] IReadOnlyList<ConditionResult> Conditions);
