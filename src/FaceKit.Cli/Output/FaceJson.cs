using FaceKit.Core.Geometry;

namespace FaceKit.Cli.Output;

/// <summary>The shape a face has in every command's JSON: box [x1,y1,x2,y2], score, landmarks [[x,y]×5].</summary>
public sealed record FaceJson(float[] Box, float Score, float[][] Landmarks)
{
    public static FaceJson From(DetectedFace face) => new(
        face.Box.ToArray().Select(Round).ToArray(),
        MathF.Round(face.Score, 4),
        face.Landmarks.ToArray().Select(p => new[] { Round(p.X), Round(p.Y) }).ToArray());

    private static float Round(float v) => MathF.Round(v, 2);
}
