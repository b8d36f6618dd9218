using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FaceKit.Onnx;

/// <summary>ONNX TensorProto.DataType values (onnx.proto).</summary>
public enum OnnxDataType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
    Float8E4M3FN = 17,
    Float8E4M3FNUZ = 18,
    Float8E5M2 = 19,
    Float8E5M2FNUZ = 20,
    UInt4 = 21,
    Int4 = 22,
    Float4E2M1 = 23,
}

public static class OnnxDataTypes
{
    /// <summary>Bytes one element occupies in memory (4-bit types: 0.5); 0 for strings and undefined.</summary>
    public static double BytesPerElement(this OnnxDataType t) => t switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => 4,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => 1,
        OnnxDataType.Float8E4M3FN or OnnxDataType.Float8E4M3FNUZ or OnnxDataType.Float8E5M2 or OnnxDataType.Float8E5M2FNUZ => 1,
        OnnxDataType.UInt16 or OnnxDataType.Int16 or OnnxDataType.Float16 or OnnxDataType.BFloat16 => 2,
        OnnxDataType.Int64 or OnnxDataType.UInt64 or OnnxDataType.Double or OnnxDataType.Complex64 => 8,
        OnnxDataType.Complex128 => 16,
        OnnxDataType.UInt4 or OnnxDataType.Int4 or OnnxDataType.Float4E2M1 => 0.5,
        _ => 0,
    };

    /// <summary>Integer types of 8 bits or fewer: what a quantised model stores its weights in.</summary>
    public static bool IsLowBitInteger(this OnnxDataType t) =>
        t is OnnxDataType.Int8 or OnnxDataType.UInt8 or OnnxDataType.Int4 or OnnxDataType.UInt4;

    public static bool IsFloat(this OnnxDataType t) =>
        t is OnnxDataType.Float or OnnxDataType.Float16 or OnnxDataType.BFloat16 or OnnxDataType.Double;

    public static long ByteCount(this OnnxDataType t, long elements) => (long)Math.Ceiling(elements * t.BytesPerElement());
}

/// <summary>A parsed ONNX model: only what analysis needs (graph, opsets, producer).</summary>
public sealed record OnnxModel
{
    public long IrVersion { get; init; } = 8;
    public IReadOnlyList<OnnxOpset> Opsets { get; init; } = [new OnnxOpset("", 13)];
    public string ProducerName { get; init; } = "";
    public string ProducerVersion { get; init; } = "";
    public required OnnxGraph Graph { get; init; }

    /// <summary>ModelProto.metadata_props: free key/value strings (an exporter records its input normalisation here).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; init; } = [];

    /// <summary>The metadata value under a key, or null.</summary>
    public string? MetadataValue(string key)
    {
        foreach (var (k, v) in Metadata)
            if (k == key) return v;
        return null;
    }

    /// <summary>The default-domain opset version (what attribute-vs-input conventions depend on).</summary>
    public long DefaultOpset => Opsets.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1;

    public static OnnxModel Load(string path) => OnnxReader.ReadFile(path);

    public static OnnxModel Parse(ReadOnlyMemory<byte> bytes) => OnnxReader.Read(bytes);

    public byte[] ToBytes() => OnnxWriter.Write(this);
}

public sealed record OnnxOpset(string Domain, long Version);

public sealed record OnnxGraph
{
    public string Name { get; init; } = "";
    public IReadOnlyList<OnnxNode> Nodes { get; init; } = [];
    public IReadOnlyList<OnnxTensor> Initializers { get; init; } = [];
    public IReadOnlyList<OnnxValueInfo> Inputs { get; init; } = [];
    public IReadOnlyList<OnnxValueInfo> Outputs { get; init; } = [];
    public IReadOnlyList<OnnxValueInfo> ValueInfo { get; init; } = [];
}

public sealed record OnnxNode
{
    public string Name { get; init; } = "";
    public required string OpType { get; init; }
    public string Domain { get; init; } = "";
    /// <summary>Input tensor names; "" marks an omitted optional input.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];
    public IReadOnlyList<string> Outputs { get; init; } = [];
    public IReadOnlyList<OnnxAttribute> Attributes { get; init; } = [];

    public OnnxAttribute? Attribute(string name)
    {
        foreach (var a in Attributes)
            if (a.Name == name) return a;
        return null;
    }

    public long Int(string name, long fallback) => Attribute(name) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) => Attribute(name) is { } a ? a.F : fallback;

    public string String(string name, string fallback) => Attribute(name)?.S ?? fallback;

    public IReadOnlyList<long>? Ints(string name) => Attribute(name)?.Ints;

    /// <summary>The input name at index i, or null when absent or omitted.</summary>
    public string? Input(int i) => i < Inputs.Count && Inputs[i].Length > 0 ? Inputs[i] : null;

    public override string ToString() => $"{OpType} '{Name}'";
}

/// <summary>AttributeProto.AttributeType values.</summary>
public enum OnnxAttributeType
{
    Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8,
    Tensors = 9, Graphs = 10, SparseTensor = 11, SparseTensors = 12, TypeProto = 13, TypeProtos = 14,
}

public sealed record OnnxAttribute
{
    public required string Name { get; init; }
    public OnnxAttributeType Type { get; init; }
    public float F { get; init; }
    public long I { get; init; }
    public string? S { get; init; }
    public OnnxTensor? T { get; init; }
    public OnnxGraph? G { get; init; }
    public IReadOnlyList<float> Floats { get; init; } = [];
    public IReadOnlyList<long> Ints { get; init; } = [];
    public IReadOnlyList<string> Strings { get; init; } = [];

    public static OnnxAttribute Of(string name, long value) => new() { Name = name, Type = OnnxAttributeType.Int, I = value };
    public static OnnxAttribute Of(string name, float value) => new() { Name = name, Type = OnnxAttributeType.Float, F = value };
    public static OnnxAttribute Of(string name, string value) => new() { Name = name, Type = OnnxAttributeType.String, S = value };
    public static OnnxAttribute Of(string name, params long[] values) => new() { Name = name, Type = OnnxAttributeType.Ints, Ints = values };
    public static OnnxAttribute Of(string name, OnnxTensor value) => new() { Name = name, Type = OnnxAttributeType.Tensor, T = value };
}

/// <summary>A tensor's declared element type and shape (null when the graph does not declare one).</summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, IReadOnlyList<OnnxDim>? Shape)
{
    public static OnnxValueInfo Fixed(string name, OnnxDataType type, params long[] dims) =>
        new(name, type, dims.Select(d => new OnnxDim(d, null)).ToArray());
}

/// <summary>One dimension: a fixed size, a symbolic name (dynamic), or neither (unknown).</summary>
public sealed record OnnxDim(long? Value, string? Param)
{
    public override string ToString() => Value?.ToString() ?? Param ?? "?";
}

/// <summary>
/// A TensorProto: initializer or attribute value. The data stays where the file put it (raw bytes or one
/// of the typed repeated fields); values are decoded only on request, for small shape-like tensors.
/// </summary>
public sealed record OnnxTensor
{
    public string Name { get; init; } = "";
    public OnnxDataType DataType { get; init; }
    public IReadOnlyList<long> Dims { get; init; } = [];
    public ReadOnlyMemory<byte> RawData { get; init; }
    public IReadOnlyList<float> FloatData { get; init; } = [];
    public IReadOnlyList<int> Int32Data { get; init; } = [];
    public IReadOnlyList<long> Int64Data { get; init; } = [];
    public IReadOnlyList<double> DoubleData { get; init; } = [];
    /// <summary>True when the values live in an external file (data_location = EXTERNAL); sizes still come from dims.</summary>
    public bool External { get; init; }

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Dims) n *= d;
            return n;
        }
    }

    /// <summary>Bytes the values occupy at this tensor's own data type.</summary>
    public long ByteCount => DataType.ByteCount(ElementCount);

    /// <summary>The values as int64 for integer tensors (shapes, axes, indices); null when not decodable.</summary>
    public long[]? ToInt64Array()
    {
        long n = ElementCount;
        if (n > 1 << 20 || External) return null;
        if (DataType == OnnxDataType.Int64)
        {
            if (Int64Data.Count == n) return Int64Data.ToArray();
            if (RawData.Length == n * 8) return MemoryMarshal.Cast<byte, long>(RawData.Span).ToArray();
        }
        else if (DataType is OnnxDataType.Int32 or OnnxDataType.Int16 or OnnxDataType.Int8 or OnnxDataType.UInt8 or OnnxDataType.UInt16 or OnnxDataType.Bool)
        {
            if (Int32Data.Count == n) return Int32Data.Select(v => (long)v).ToArray();
            var raw = RawData.Span;
            return DataType switch
            {
                OnnxDataType.Int32 when raw.Length == n * 4 => MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (long)v).ToArray(),
                OnnxDataType.Int16 when raw.Length == n * 2 => MemoryMarshal.Cast<byte, short>(raw).ToArray().Select(v => (long)v).ToArray(),
                OnnxDataType.UInt16 when raw.Length == n * 2 => MemoryMarshal.Cast<byte, ushort>(raw).ToArray().Select(v => (long)v).ToArray(),
                OnnxDataType.Int8 when raw.Length == n => MemoryMarshal.Cast<byte, sbyte>(raw).ToArray().Select(v => (long)v).ToArray(),
                OnnxDataType.UInt8 or OnnxDataType.Bool when raw.Length == n => raw.ToArray().Select(v => (long)v).ToArray(),
                _ => null,
            };
        }
        else if (DataType is OnnxDataType.Float or OnnxDataType.Double)
        {
            // Resize scales and similar arrive as floats; callers that want integers round them.
            return ToDoubleArray()?.Select(v => (long)v).ToArray();
        }
        return null;
    }

    /// <summary>The values as doubles for small float or integer tensors (scales, clip bounds); null when not decodable.</summary>
    public double[]? ToDoubleArray()
    {
        long n = ElementCount;
        if (n > 1 << 20 || External) return null;
        switch (DataType)
        {
            case OnnxDataType.Float:
                if (FloatData.Count == n) return FloatData.Select(v => (double)v).ToArray();
                if (RawData.Length == n * 4) return MemoryMarshal.Cast<byte, float>(RawData.Span).ToArray().Select(v => (double)v).ToArray();
                return null;
            case OnnxDataType.Double:
                if (DoubleData.Count == n) return DoubleData.ToArray();
                if (RawData.Length == n * 8) return MemoryMarshal.Cast<byte, double>(RawData.Span).ToArray();
                return null;
            case OnnxDataType.Float16:
                if (RawData.Length == n * 2)
                {
                    var result = new double[n];
                    for (int i = 0; i < n; i++) result[i] = (double)BinaryPrimitives.ReadHalfLittleEndian(RawData.Span.Slice(2 * i, 2));
                    return result;
                }
                if (Int32Data.Count == n) return Int32Data.Select(v => (double)BitConverter.Int16BitsToHalf((short)v)).ToArray();
                return null;
            default:
                return ToInt64Array()?.Select(v => (double)v).ToArray();
        }
    }

    public static OnnxTensor FromFloats(string name, long[] dims, float[] values) =>
        new() { Name = name, DataType = OnnxDataType.Float, Dims = dims, RawData = MemoryMarshal.AsBytes(values.AsSpan()).ToArray() };

    public static OnnxTensor FromInt64(string name, long[] dims, long[] values) =>
        new() { Name = name, DataType = OnnxDataType.Int64, Dims = dims, RawData = MemoryMarshal.AsBytes(values.AsSpan()).ToArray() };

    /// <summary>A tensor of the given type whose raw bytes are zero: enough for size analysis.</summary>
    public static OnnxTensor Zeros(string name, OnnxDataType type, params long[] dims)
    {
        var t = new OnnxTensor { Name = name, DataType = type, Dims = dims };
        return t with { RawData = new byte[t.ByteCount] };
    }
}
