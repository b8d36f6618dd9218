using FaceKit.Core.Errors;

namespace FaceKit.Inference.Tflite;

/// <summary>TFLite TensorType values (schema.fbs).</summary>
public enum TfliteTensorType : sbyte
{
    Float32 = 0, Float16 = 1, Int32 = 2, UInt8 = 3, Int64 = 4, String = 5, Bool = 6, Int16 = 7, Complex64 = 8, Int8 = 9,
    Float64 = 10,
}

/// <summary>One tensor of a subgraph: NHWC shape as stored, and the buffer holding its constant data (0 = none).</summary>
public sealed record TfliteTensor(string Name, int[] Shape, int[] ShapeSignature, TfliteTensorType Type, int Buffer, bool Quantized);

/// <summary>One operator: which code, which tensors in and out (−1 = omitted optional input), and its options table.</summary>
public sealed record TfliteOperator(int OpcodeIndex, int[] Inputs, int[] Outputs)
{
    internal FlatBufferTable? Options { get; init; }
}

/// <summary>
/// An operator code: the builtin operator is the larger of deprecated_builtin_code (int8, schema v3) and
/// builtin_code (int32, v3a) — the rule TFLite's own GetBuiltinCode applies, since old files leave the new
/// field 0 (= ADD) and new files put 127 in the old one for codes above 127.
/// </summary>
public sealed record TfliteOperatorCode(int Builtin, string? Custom, int Version)
{
    public string Name => Builtin == TfliteOps.Custom ? $"CUSTOM '{Custom}'" : TfliteOps.NameOf(Builtin);
}

public sealed record TfliteSubgraph(string Name, IReadOnlyList<TfliteTensor> Tensors, int[] Inputs, int[] Outputs, IReadOnlyList<TfliteOperator> Operators);

/// <summary>A parsed .tflite file: the few tables a converter needs, read by hand from the FlatBuffer.</summary>
public sealed record TfliteModel(int Version, string Description, IReadOnlyList<TfliteOperatorCode> OperatorCodes,
    IReadOnlyList<TfliteSubgraph> Subgraphs, IReadOnlyList<ReadOnlyMemory<byte>> Buffers)
{
    public static TfliteModel Load(string path)
    {
        if (!File.Exists(path)) throw FaceKitException.BadInput($"{path}: no such file");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FaceKitException.BadInput($"{path}: cannot read ({e.Message})", e);
        }
        try { return Parse(bytes); }
        catch (FaceKitException e) { throw FaceKitException.BadInput($"{path}: {e.Message}", e); }
    }

    /// <summary>
    /// Field indices follow tensorflow/lite/schema/schema.fbs: Model(version 0, operator_codes 1, subgraphs 2,
    /// description 3, buffers 4); SubGraph(tensors 0, inputs 1, outputs 2, operators 3, name 4);
    /// Tensor(shape 0, type 1, buffer 2, name 3, quantization 4, …, shape_signature 7);
    /// Operator(opcode_index 0, inputs 1, outputs 2, builtin_options_type 3, builtin_options 4);
    /// OperatorCode(deprecated_builtin_code 0, custom_code 1, version 2, builtin_code 3); Buffer(data 0, offset 1, size 2).
    /// </summary>
    public static TfliteModel Parse(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            if (FlatBufferTable.Identifier(bytes) != "TFL3")
                throw FaceKitException.BadInput("not a TFLite model (no TFL3 identifier)");
            var root = FlatBufferTable.Root(bytes);
            var codes = root.TableVector(1).Select(c => new TfliteOperatorCode(
                Math.Max(c.Int8(0), c.Int32(3)), c.String(1), c.Int32(2, 1))).ToList();
            var buffers = root.TableVector(4).Select(b =>
            {
                if (b.VectorBytes(0, 1) is { } data) return data;
                // Models over 2 GB keep their data after the FlatBuffer, addressed from the file start.
                ulong offset = b.UInt64(1), size = b.UInt64(2);
                if (offset > 1 && offset + size <= (ulong)bytes.Length) return bytes.Slice((int)offset, (int)size);
                return ReadOnlyMemory<byte>.Empty;
            }).ToList();
            var subgraphs = root.TableVector(2).Select(g => new TfliteSubgraph(
                g.String(4) ?? "",
                g.TableVector(0).Select(ReadTensor).ToList(),
                g.Int32Vector(1),
                g.Int32Vector(2),
                g.TableVector(3).Select(o => new TfliteOperator((int)o.UInt32(0), o.Int32Vector(1), o.Int32Vector(2)) { Options = o.Table(4) }).ToList()))
                .ToList();
            if (subgraphs.Count == 0) throw FaceKitException.BadInput("TFLite model has no subgraph");
            return new TfliteModel((int)root.UInt32(0), root.String(3) ?? "", codes, subgraphs, buffers);
        }
        catch (InvalidDataException e)
        {
            throw FaceKitException.BadInput($"not a valid TFLite FlatBuffer: {e.Message}", e);
        }
    }

    private static TfliteTensor ReadTensor(FlatBufferTable t)
    {
        bool quantized = t.Table(4) is { } q && (q.Has(2) || q.Has(3)); // QuantizationParameters: scale 2, zero_point 3
        return new TfliteTensor(t.String(3) ?? "", t.Int32Vector(0), t.Int32Vector(7), (TfliteTensorType)t.Int8(1), (int)t.UInt32(2), quantized);
    }

    /// <summary>Operator names in first-use order with their counts (what `import-tflite` prints).</summary>
    public IReadOnlyList<(string Name, int Count)> OperatorHistogram(int subgraph = 0) =>
        Subgraphs[subgraph].Operators.GroupBy(o => OperatorCodes[o.OpcodeIndex].Name).Select(g => (g.Key, g.Count())).ToList();
}

/// <summary>BuiltinOperator codes (schema.fbs) and their names for messages.</summary>
public static class TfliteOps
{
    public const int Add = 0, AveragePool2D = 1, Concatenation = 2, Conv2D = 3, DepthwiseConv2D = 4, Dequantize = 6,
        FullyConnected = 9, L2Normalization = 11, Logistic = 14, MaxPool2D = 17, Mul = 18, Relu = 19, ReluN1To1 = 20, Relu6 = 21,
        Reshape = 22, Softmax = 25, Tanh = 28, Custom = 32, Pad = 34, Mean = 40, Sub = 41, Div = 42, Exp = 47, Prelu = 54,
        Neg = 59, Sum = 74, ReduceMax = 82, Abs = 101;

    private static readonly string[] Names =
    [
        "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE", "DEQUANTIZE",
        "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D",
        "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1",
        "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS",
        "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER",
        "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE",
        "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT",
        "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS",
        "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV",
        "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT", "SHAPE", "POW",
        "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND",
        "LOGICAL_NOT", "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD",
        "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V",
    ];

    public static string NameOf(int code) => code >= 0 && code < Names.Length ? Names[code] : $"BUILTIN_{code}";
}
