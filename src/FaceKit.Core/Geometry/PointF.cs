namespace FaceKit.Core.Geometry;

/// <summary>A point in pixel coordinates (x right, y down).</summary>
public readonly record struct PointF(float X, float Y);
