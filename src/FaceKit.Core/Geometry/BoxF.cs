namespace FaceKit.Core.Geometry;

/// <summary>An axis-aligned box by its corners, in pixels; X2/Y2 exclusive-ish like every detector's output.</summary>
public readonly record struct BoxF(float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;
    public float Height => Y2 - Y1;
    public float Area => MathF.Max(0, Width) * MathF.Max(0, Height);
    public PointF Center => new((X1 + X2) / 2, (Y1 + Y2) / 2);

    public float Intersection(in BoxF other)
    {
        float iw = MathF.Min(X2, other.X2) - MathF.Max(X1, other.X1);
        float ih = MathF.Min(Y2, other.Y2) - MathF.Max(Y1, other.Y1);
        return iw <= 0 || ih <= 0 ? 0 : iw * ih;
    }

    public float IoU(in BoxF other)
    {
        float inter = Intersection(other);
        return inter == 0 ? 0 : inter / (Area + other.Area - inter);
    }

    public bool Contains(PointF p) => p.X >= X1 && p.X <= X2 && p.Y >= Y1 && p.Y <= Y2;

    public BoxF Clip(int width, int height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));

    public BoxF Offset(float dx, float dy) => new(X1 + dx, Y1 + dy, X2 + dx, Y2 + dy);

    public BoxF Scale(float sx, float sy) => new(X1 * sx, Y1 * sy, X2 * sx, Y2 * sy);

    public float[] ToArray() => [X1, Y1, X2, Y2];
}
