using System.Text.Json.Serialization;
using FaceKit.Evaluation.Verification;

namespace FaceKit.Evaluation.Identification;

/// <summary>Closed-set CMC and open-set FNIR@FPIR of a gallery/probe split of an identity tree.</summary>
public sealed record IdentificationReport
{
    [JsonPropertyName("model_id")] public required string ModelId { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("protocol")] public string Protocol { get; init; } = "identification";
    /// <summary>How the split was made: first image (ordinal name order) of each enrolled identity enrols it.</summary>
    [JsonPropertyName("split")] public required string Split { get; init; }
    [JsonPropertyName("seed")] public required int Seed { get; init; }
    [JsonPropertyName("identities")] public required int Identities { get; init; }
    [JsonPropertyName("enrolled_identities")] public required int EnrolledIdentities { get; init; }
    [JsonPropertyName("held_out_identities")] public required int HeldOutIdentities { get; init; }
    [JsonPropertyName("mated_probes")] public required int MatedProbes { get; init; }
    [JsonPropertyName("non_mated_probes")] public required int NonMatedProbes { get; init; }
    [JsonPropertyName("failure_policy")] public required string FailurePolicy { get; init; }
    [JsonPropertyName("failures_to_enrol")] public required int FailuresToEnrol { get; init; }
    [JsonPropertyName("failures_to_acquire")] public required int FailuresToAcquire { get; init; }
    [JsonPropertyName("failed_images")] public required IReadOnlyList<FailedImage> FailedImages { get; init; }
    [JsonPropertyName("rank1")] public required double Rank1 { get; init; }
    [JsonPropertyName("rank5")] public required double Rank5 { get; init; }
    /// <summary>cmc[k − 1] = share of mated searches with the mate within rank k.</summary>
    [JsonPropertyName("cmc")] public required IReadOnlyList<double> Cmc { get; init; }
    /// <summary>{"1e-2": fnir, or null when there are fewer than 1/target non-mated probes}.</summary>
    [JsonPropertyName("fnir_at_fpir")] public required IReadOnlyDictionary<string, double?> FnirAtFpir { get; init; }
    [JsonPropertyName("open_set_detail")] public required IReadOnlyList<OpenSetDetail> OpenSetDetail { get; init; }
    [JsonPropertyName("timing")] public required Timing Timing { get; init; }
}

public sealed record OpenSetDetail(
    [property: JsonPropertyName("target_fpir")] double TargetFpir,
    [property: JsonPropertyName("rank")] int Rank,
    [property: JsonPropertyName("fnir")] double? Fnir,
    [property: JsonPropertyName("fpir")] double? Fpir,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("mated_searches")] int MatedSearches,
    [property: JsonPropertyName("non_mated_searches")] int NonMatedSearches,
    [property: JsonPropertyName("not_estimable_reason")] string? NotEstimableReason);
