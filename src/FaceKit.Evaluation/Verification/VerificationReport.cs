using System.Text.Json.Serialization;

namespace FaceKit.Evaluation.Verification;

/// <summary>
/// The JSON document of a verification run; names are part of the CLI contract, so each is pinned.
/// Rates are fractions in [0, 1].
/// </summary>
public sealed record VerificationReport
{
    [JsonPropertyName("model_id")] public required string ModelId { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("protocol")] public string Protocol { get; init; } = "verification-kfold";
    [JsonPropertyName("folds")] public required int Folds { get; init; }
    [JsonPropertyName("fold_origin")] public required string FoldOrigin { get; init; }

    [JsonPropertyName("pairs")] public required int Pairs { get; init; }
    [JsonPropertyName("genuine_pairs")] public required int GenuinePairs { get; init; }
    [JsonPropertyName("impostor_pairs")] public required int ImpostorPairs { get; init; }
    [JsonPropertyName("images")] public required int Images { get; init; }

    /// <summary>"count_as_non_match" (ISO/IEC 19795-1) or "exclude".</summary>
    [JsonPropertyName("failure_policy")] public required string FailurePolicy { get; init; }
    /// <summary>Images without a template.</summary>
    [JsonPropertyName("failures_to_acquire")] public required int FailuresToAcquire { get; init; }
    [JsonPropertyName("failed_images")] public required IReadOnlyList<FailedImage> FailedImages { get; init; }
    [JsonPropertyName("failed_genuine_pairs")] public required int FailedGenuinePairs { get; init; }
    [JsonPropertyName("failed_impostor_pairs")] public required int FailedImpostorPairs { get; init; }
    /// <summary>Pairs that entered the rates (all pairs, unless failures were excluded).</summary>
    [JsonPropertyName("evaluated_pairs")] public required int EvaluatedPairs { get; init; }

    /// <summary>Mean of the held-out fold accuracies (LFW protocol).</summary>
    [JsonPropertyName("accuracy")] public required double Accuracy { get; init; }
    /// <summary>Population standard deviation of the fold accuracies (numpy std, as insightface).</summary>
    [JsonPropertyName("accuracy_std")] public required double AccuracyStd { get; init; }
    [JsonPropertyName("accuracy_std_kind")] public string AccuracyStdKind { get; init; } = "population";
    [JsonPropertyName("fold_accuracies")] public required IReadOnlyList<double> FoldAccuracies { get; init; }
    [JsonPropertyName("fold_thresholds")] public required IReadOnlyList<double> FoldThresholds { get; init; }
    /// <summary>The accuracy-maximising threshold on all pairs.</summary>
    [JsonPropertyName("threshold")] public required double Threshold { get; init; }
    [JsonPropertyName("threshold_accuracy")] public required double ThresholdAccuracy { get; init; }

    [JsonPropertyName("auc")] public required double Auc { get; init; }
    [JsonPropertyName("eer")] public required double Eer { get; init; }
    [JsonPropertyName("eer_threshold")] public required double? EerThreshold { get; init; }
    /// <summary>{"1e-3": tpr, "1e-4": null when not estimable}.</summary>
    [JsonPropertyName("tpr_at_fpr")] public required IReadOnlyDictionary<string, double?> TprAtFpr { get; init; }
    [JsonPropertyName("tpr_at_fpr_detail")] public required IReadOnlyList<TprAtFprDetail> TprAtFprDetail { get; init; }

    /// <summary>Null when the run asked for no bootstrap.</summary>
    [JsonPropertyName("confidence_intervals")] public required ConfidenceIntervals? ConfidenceIntervals { get; init; }
    [JsonPropertyName("timing")] public required Timing Timing { get; init; }
}

public sealed record FailedImage(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("message")] string Message);

public sealed record TprAtFprDetail(
    [property: JsonPropertyName("target_fpr")] double TargetFpr,
    [property: JsonPropertyName("tpr")] double? Tpr,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("fpr")] double? Fpr,
    [property: JsonPropertyName("impostor_pairs")] long ImpostorPairs,
    [property: JsonPropertyName("not_estimable_reason")] string? NotEstimableReason);

/// <summary>Percentile bootstrap intervals, genuine and impostor pairs resampled separately; [lower, upper].</summary>
public sealed record ConfidenceIntervals(
    [property: JsonPropertyName("level")] double Level,
    [property: JsonPropertyName("resamples")] int Resamples,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("accuracy_at_threshold")] double[] AccuracyAtThreshold,
    [property: JsonPropertyName("eer")] double[] Eer,
    [property: JsonPropertyName("tpr_at_fpr")] IReadOnlyDictionary<string, double[]?> TprAtFpr);

public sealed record Timing(
    [property: JsonPropertyName("images")] int Images,
    [property: JsonPropertyName("extractor_calls")] int ExtractorCalls,
    [property: JsonPropertyName("cache_hits")] int CacheHits,
    [property: JsonPropertyName("cache_was_corrupt")] bool CacheWasCorrupt,
    [property: JsonPropertyName("extract_seconds")] double ExtractSeconds,
    [property: JsonPropertyName("total_seconds")] double TotalSeconds);
