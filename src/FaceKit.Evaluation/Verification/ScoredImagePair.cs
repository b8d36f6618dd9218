using FaceKit.Evaluation.Pairs;

namespace FaceKit.Evaluation.Verification;

/// <summary>A pair and its similarity; −∞ when one image had no template (and the policy counts it).</summary>
public readonly record struct ScoredImagePair(ImagePair Pair, double Score, bool Failed);
