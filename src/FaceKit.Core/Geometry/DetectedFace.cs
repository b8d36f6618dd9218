namespace FaceKit.Core.Geometry;

/// <summary>A face box and its detector confidence, before landmarks.</summary>
public readonly record struct FaceBox(BoxF Box, float Score);

/// <summary>A located face: its box, detector confidence and the five alignment landmarks.</summary>
public sealed record DetectedFace(BoxF Box, float Score, Landmarks5 Landmarks);
