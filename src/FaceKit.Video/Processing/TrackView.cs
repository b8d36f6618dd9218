using FaceKit.Core.Geometry;

namespace FaceKit.Video.Processing;

/// <summary>
/// A track as published: box in frame pixels, the voted name (null = unknown) and its similarity, and the
/// best gallery candidate even when it is below the threshold.
/// </summary>
public sealed record TrackView(
    int Id, BoxF Box, float Score, string? Name, float Similarity, string? BestName, float BestSimilarity,
    int Samples, long FirstFrame);
