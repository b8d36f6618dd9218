using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace FaceKit.Inference.Tests.Tflite;

/// <summary>
/// Writes small .tflite FlatBuffers by hand so each operator mapping is tested on a model whose output can be
/// worked out on paper. Objects are laid out parent-first (a table, then what it points to), which keeps every
/// uoffset positive as the format requires; vtables go just before their table.
/// </summary>
internal sealed class FbObject
{
    public readonly SortedDictionary<int, object> Fields = [];

    public FbObject Set(int index, object value)
    {
        Fields[index] = value;
        return this;
    }
}

/// <summary>Wrappers that say how a field is stored.</summary>
internal sealed record FbByte(byte Value);
internal sealed record FbInts(int[] Values);
internal sealed record FbBytes(byte[] Values);
internal sealed record FbTables(FbObject[] Values);

internal static class FlatBufferWriter
{
    public static byte[] Write(FbObject root, string identifier)
    {
        var buffer = new List<byte>(new byte[8]);
        for (int i = 0; i < 4; i++) buffer[4 + i] = (byte)identifier[i];
        int rootAt = WriteTable(buffer, root);
        Patch(buffer, 0, rootAt);
        return buffer.ToArray();
    }

    private static void Patch(List<byte> buffer, int at, int target)
    {
        var b = BitConverter.GetBytes(target - at);
        for (int i = 0; i < 4; i++) buffer[at + i] = b[i];
    }

    private static void Pad(List<byte> buffer)
    {
        while (buffer.Count % 4 != 0) buffer.Add(0);
    }

    private static int WriteTable(List<byte> buffer, FbObject table)
    {
        Pad(buffer);
        int maxField = table.Fields.Count == 0 ? -1 : table.Fields.Keys.Max();
        int slots = maxField + 1;
        // Inline layout: soffset, then each present field in 4 bytes (8 for ulong).
        var offsets = new Dictionary<int, int>();
        int inline = 4;
        foreach (var (index, value) in table.Fields)
        {
            offsets[index] = inline;
            inline += value is ulong ? 8 : 4;
        }
        int vtableSize = 4 + 2 * slots;
        int vtableAt = buffer.Count;
        var vt = new byte[vtableSize + (vtableSize % 4 == 0 ? 0 : 2)];
        BinaryPrimitives.WriteUInt16LittleEndian(vt, (ushort)vtableSize);
        BinaryPrimitives.WriteUInt16LittleEndian(vt.AsSpan(2), (ushort)inline);
        foreach (var (index, off) in offsets) BinaryPrimitives.WriteUInt16LittleEndian(vt.AsSpan(4 + 2 * index), (ushort)off);
        buffer.AddRange(vt);
        int tableAt = buffer.Count;
        buffer.AddRange(BitConverter.GetBytes(tableAt - vtableAt));
        var pending = new List<(int At, object Value)>();
        foreach (var (index, value) in table.Fields)
        {
            switch (value)
            {
                case int i: buffer.AddRange(BitConverter.GetBytes(i)); break;
                case uint u: buffer.AddRange(BitConverter.GetBytes(u)); break;
                case float f: buffer.AddRange(BitConverter.GetBytes(f)); break;
                case bool b: buffer.AddRange([(byte)(b ? 1 : 0), 0, 0, 0]); break;
                case sbyte s: buffer.AddRange([(byte)s, 0, 0, 0]); break;
                case FbByte fb: buffer.AddRange([fb.Value, 0, 0, 0]); break;
                case ulong ul: buffer.AddRange(BitConverter.GetBytes(ul)); break;
                default:
                    pending.Add((buffer.Count, value));
                    buffer.AddRange(new byte[4]);
                    break;
            }
        }
        foreach (var (at, value) in pending)
        {
            int target = value switch
            {
                FbObject child => WriteTable(buffer, child),
                string s => WriteVector(buffer, Encoding.UTF8.GetBytes(s).Append((byte)0).ToArray(), Encoding.UTF8.GetByteCount(s)),
                FbInts ints => WriteVector(buffer, MemoryMarshal.AsBytes(ints.Values.AsSpan()).ToArray(), ints.Values.Length),
                FbBytes bytes => WriteVector(buffer, bytes.Values, bytes.Values.Length),
                FbTables tables => WriteTableVector(buffer, tables.Values),
                _ => throw new ArgumentException($"unsupported field value {value.GetType()}"),
            };
            Patch(buffer, at, target);
        }
        return tableAt;
    }

    private static int WriteVector(List<byte> buffer, byte[] payload, int count)
    {
        Pad(buffer);
        int at = buffer.Count;
        buffer.AddRange(BitConverter.GetBytes(count));
        buffer.AddRange(payload);
        return at;
    }

    private static int WriteTableVector(List<byte> buffer, FbObject[] tables)
    {
        Pad(buffer);
        int at = buffer.Count;
        buffer.AddRange(BitConverter.GetBytes(tables.Length));
        int first = buffer.Count;
        buffer.AddRange(new byte[4 * tables.Length]);
        for (int i = 0; i < tables.Length; i++) Patch(buffer, first + 4 * i, WriteTable(buffer, tables[i]));
        return at;
    }
}

/// <summary>A one-subgraph float TFLite model assembled tensor by tensor and operator by operator.</summary>
internal sealed class TinyTflite
{
    private readonly List<FbObject> _tensors = [];
    private readonly List<FbObject> _buffers = [new FbObject()];
    private readonly List<FbObject> _operators = [];
    private readonly List<FbObject> _codes = [];
    private readonly Dictionary<(int, bool), int> _codeIndex = [];
    private readonly List<int> _inputs = [], _outputs = [];

    public int Input(string name, params int[] shape)
    {
        int t = Tensor(name, shape);
        _inputs.Add(t);
        return t;
    }

    public int Tensor(string name, int[] shape, float[]? data = null, int[]? ints = null)
    {
        var tensor = new FbObject().Set(0, new FbInts(shape)).Set(3, name);
        if (ints is not null) tensor.Set(1, (sbyte)2); // INT32
        if (data is not null || ints is not null)
        {
            var bytes = data is not null ? MemoryMarshal.AsBytes(data.AsSpan()).ToArray() : MemoryMarshal.AsBytes(ints.AsSpan()).ToArray();
            _buffers.Add(new FbObject().Set(0, new FbBytes(bytes)));
            tensor.Set(2, (uint)(_buffers.Count - 1));
        }
        _tensors.Add(tensor);
        return _tensors.Count - 1;
    }

    public int Constant(string name, int[] shape, params float[] data) => Tensor(name, shape, data);

    public void Output(int t) => _outputs.Add(t);

    /// <summary>Adds an operator; <paramref name="deprecatedCode"/> writes the code the old way (int8 field only).</summary>
    public int Op(int builtin, int[] inputs, string outName, int[] outShape, FbObject? options = null, bool deprecatedCode = false, string? custom = null)
    {
        if (!_codeIndex.TryGetValue((builtin, deprecatedCode), out int code))
        {
            var c = new FbObject().Set(2, 1);
            if (deprecatedCode) c.Set(0, (sbyte)builtin);
            else c.Set(0, (sbyte)Math.Min(builtin, 127)).Set(3, builtin);
            if (custom is not null) c.Set(1, custom);
            _codes.Add(c);
            code = _codeIndex[(builtin, deprecatedCode)] = _codes.Count - 1;
        }
        int y = Tensor(outName, outShape);
        var op = new FbObject().Set(0, (uint)code).Set(1, new FbInts(inputs)).Set(2, new FbInts([y]));
        if (options is not null) op.Set(3, new FbByte(1)).Set(4, options);
        _operators.Add(op);
        return y;
    }

    public byte[] ToBytes()
    {
        var subgraph = new FbObject()
            .Set(0, new FbTables([.. _tensors])).Set(1, new FbInts([.. _inputs])).Set(2, new FbInts([.. _outputs]))
            .Set(3, new FbTables([.. _operators])).Set(4, "main");
        var model = new FbObject()
            .Set(0, 3u).Set(1, new FbTables([.. _codes])).Set(2, new FbTables([subgraph])).Set(3, "facekit test")
            .Set(4, new FbTables([.. _buffers]));
        return FlatBufferWriter.Write(model, "TFL3");
    }

    // Option tables, fields in schema.fbs order.
    public static FbObject Conv(int padding, int strideW, int strideH, int fused = 0) =>
        new FbObject().Set(0, (sbyte)padding).Set(1, strideW).Set(2, strideH).Set(3, (sbyte)fused);

    public static FbObject Depthwise(int padding, int strideW, int strideH, int multiplier, int fused = 0) =>
        new FbObject().Set(0, (sbyte)padding).Set(1, strideW).Set(2, strideH).Set(3, multiplier).Set(4, (sbyte)fused);

    public static FbObject Pool(int padding, int strideW, int strideH, int filterW, int filterH) =>
        new FbObject().Set(0, (sbyte)padding).Set(1, strideW).Set(2, strideH).Set(3, filterW).Set(4, filterH);

    public static FbObject Reducer(bool keepDims) => new FbObject().Set(0, keepDims);

    public static FbObject Reshape(params int[] shape) => new FbObject().Set(0, new FbInts(shape));

    public static FbObject Fused(int activation) => new FbObject().Set(0, (sbyte)activation);
}
