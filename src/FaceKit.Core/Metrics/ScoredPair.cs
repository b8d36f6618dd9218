namespace FaceKit.Core.Metrics;

/// <summary>A compared pair: its similarity, whether both images show the same person, and its fold.</summary>
public readonly record struct ScoredPair(double Score, bool Same, int Fold);
