using System.Text.Json.Serialization;
using FaceKit.Core.Geometry;
using FaceKit.Gallery;

namespace FaceKit.Server.Api;

/// <summary>The shapes the REST API answers with (snake_case on the wire).</summary>
internal static class ApiJson
{
    public static float[] Box(BoxF b) => [MathF.Round(b.X1, 1), MathF.Round(b.Y1, 1), MathF.Round(b.X2, 1), MathF.Round(b.Y2, 1)];

    public static float Round(float v) => MathF.Round(v, 5);

    public static object Subject(Subject s) => new SubjectJson(s.Name, s.TemplateCount, s.CreatedUtc, s.UpdatedUtc);
}

internal sealed record SubjectJson(string Name, int Templates, DateTime CreatedUtc, DateTime UpdatedUtc);

internal sealed record MatchJson(string Name, float Similarity);

/// <summary>One face of an identify answer; <see cref="Liveness"/>/<see cref="Live"/> only when the server requires liveness on identify.</summary>
internal sealed record IdentifiedFaceJson(float[] Box, float Score, string? Identity, float? Similarity, IReadOnlyList<MatchJson> Matches,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float? Liveness = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Live = null);

internal sealed record RenameRequest(string? Name);
