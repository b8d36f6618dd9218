using System.Text.Json;

namespace FaceKit.Cli.Tests.Infrastructure;

/// <summary>A face's `box` [x1,y1,x2,y2] as printed in every command's JSON.</summary>
public readonly record struct FaceBox(double X1, double Y1, double X2, double Y2)
{
    public double Width => X2 - X1;
    public double Height => Y2 - Y1;
    public double Area => Math.Max(0, Width) * Math.Max(0, Height);

    public static FaceBox From(JsonElement box)
    {
        Assert.Equal(JsonValueKind.Array, box.ValueKind);
        var v = box.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(4, v.Length);
        return new FaceBox(v[0], v[1], v[2], v[3]);
    }

    public bool Contains(double x, double y) => x >= X1 && x <= X2 && y >= Y1 && y <= Y2;

    public double IntersectionArea(FaceBox o) =>
        Math.Max(0, Math.Min(X2, o.X2) - Math.Max(X1, o.X1)) * Math.Max(0, Math.Min(Y2, o.Y2) - Math.Max(Y1, o.Y1));

    public override string ToString() => $"[{X1:F0},{Y1:F0},{X2:F0},{Y2:F0}]";
}
