using FaceKit.Onnx;

namespace FaceKit.Profiling.Analysis;

/// <summary>A tensor's element type and static shape; Shape is null when it could not be inferred.</summary>
public sealed record TensorInfo(OnnxDataType DataType, long[]? Shape)
{
    public static readonly TensorInfo Unknown = new(OnnxDataType.Undefined, null);

    public bool Known => Shape is not null;

    public int? Rank => Shape?.Length;

    /// <summary>Element count; null when the shape is unknown.</summary>
    public long? Elements
    {
        get
        {
            if (Shape is null) return null;
            long n = 1;
            foreach (var d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>Bytes at this tensor's own type (or at <paramref name="elementBytes"/> when given); null when unknown.</summary>
    public long? Bytes(double? elementBytes = null)
    {
        if (Elements is not { } n) return null;
        double size = elementBytes ?? DataType.BytesPerElement();
        return (long)Math.Ceiling(n * size);
    }

    public string ShapeText => Shape is null ? "?" : string.Join("×", Shape);

    public override string ToString() => $"{DataType} [{ShapeText}]";
}
