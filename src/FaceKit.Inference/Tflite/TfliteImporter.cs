using System.Buffers.Binary;
using System.Runtime.InteropServices;
using FaceKit.Core.Errors;
using FaceKit.Onnx;

namespace FaceKit.Inference.Tflite;

/// <summary>How a TFLite model becomes ONNX.</summary>
public sealed record TfliteImportOptions
{
    /// <summary>
    /// 4-D graph inputs and outputs in NCHW (ONNX's convention, what <c>OnnxFaceEmbedder</c> feeds); false keeps
    /// TFLite's NHWC at the graph boundary. Inside, convolutions always run NCHW.
    /// </summary>
    public bool NchwInputsAndOutputs { get; init; } = true;

    /// <summary>Batch dimension symbolic ("N"), so R-Net/O-Net and embedders take many crops per call.</summary>
    public bool DynamicBatch { get; init; } = true;

    /// <summary>Height and width of 4-D inputs symbolic: for fully convolutional models run at many sizes (P-Net).</summary>
    public bool DynamicSpatial { get; init; }

    /// <summary>Which subgraph to convert (0, the main one, in every file we know).</summary>
    public int Subgraph { get; init; }
}

/// <summary>What an import produced, for the CLI to print.</summary>
public sealed record TfliteImportResult(OnnxModel Model, IReadOnlyList<(string Name, int Count)> Operators,
    IReadOnlyList<OnnxValueInfo> Inputs, IReadOnlyList<OnnxValueInfo> Outputs);

/// <summary>
/// Converts a float TFLite model to an ONNX graph (opset 13). TFLite tensors are NHWC; every 4-D activation is
/// carried in NCHW inside the graph, so convolutions and pools map one-to-one, and a Transpose appears only where
/// an operator needs the NHWC order (RESHAPE/FULLY_CONNECTED flatten in H,W,C order). Constants that broadcast
/// against an NCHW activation are permuted once at import time. TFLite SAME padding puts the odd pixel after
/// (bottom/right): explicit pads when the spatial size is known, SAME_UPPER (the same rule) when it is dynamic.
/// Operators outside the supported set are refused, all named in one message.
/// </summary>
public static class TfliteImporter
{
    public static readonly IReadOnlySet<int> Supported = new HashSet<int>
    {
        TfliteOps.Add, TfliteOps.Sub, TfliteOps.Mul, TfliteOps.Div, TfliteOps.Conv2D, TfliteOps.DepthwiseConv2D,
        TfliteOps.FullyConnected, TfliteOps.MaxPool2D, TfliteOps.AveragePool2D, TfliteOps.Relu, TfliteOps.Relu6,
        TfliteOps.ReluN1To1, TfliteOps.Logistic, TfliteOps.Tanh, TfliteOps.Neg, TfliteOps.Abs, TfliteOps.Exp,
        TfliteOps.Reshape, TfliteOps.Softmax, TfliteOps.ReduceMax, TfliteOps.Sum, TfliteOps.Mean,
        TfliteOps.L2Normalization, TfliteOps.Prelu, TfliteOps.Dequantize,
    };

    /// <summary>Reads FILE.tflite, converts it and writes OUT.onnx (via a temporary file, so a failure leaves nothing half-written).</summary>
    public static TfliteImportResult ImportFile(string tflitePath, string onnxPath, TfliteImportOptions? options = null)
    {
        var model = TfliteModel.Load(tflitePath);
        TfliteImportResult result;
        try { result = Convert(model, options, Path.GetFileNameWithoutExtension(tflitePath)); }
        catch (FaceKitException e) { throw new FaceKitException(e.Code, $"{tflitePath}: {e.Message}", e); }
        var directory = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        if (!Directory.Exists(directory)) throw FaceKitException.BadInput($"{onnxPath}: folder {directory} does not exist");
        var staging = onnxPath + ".part";
        File.WriteAllBytes(staging, result.Model.ToBytes());
        File.Move(staging, onnxPath, overwrite: true);
        return result;
    }

    public static TfliteImportResult Convert(TfliteModel model, TfliteImportOptions? options = null, string graphName = "tflite")
    {
        options ??= new TfliteImportOptions();
        if (options.Subgraph < 0 || options.Subgraph >= model.Subgraphs.Count)
            throw FaceKitException.BadInput($"subgraph {options.Subgraph} does not exist (the model has {model.Subgraphs.Count})");
        var unknown = model.Subgraphs[options.Subgraph].Operators
            .Select(o => model.OperatorCodes[o.OpcodeIndex])
            .Where(c => !Supported.Contains(c.Builtin))
            .GroupBy(c => c.Name).Select(g => $"{g.Key} ×{g.Count()}").ToList();
        if (unknown.Count > 0)
            throw FaceKitException.BadInput($"the TFLite importer does not map these operators: {string.Join(", ", unknown)}");
        var graph = new GraphConverter(model, model.Subgraphs[options.Subgraph], options).Run(graphName);
        var onnx = new OnnxModel
        {
            IrVersion = 8,
            Opsets = [new OnnxOpset("", 13)],
            ProducerName = "facekit-tflite-import",
            ProducerVersion = "1",
            Graph = graph,
        };
        return new TfliteImportResult(onnx, model.OperatorHistogram(options.Subgraph), graph.Inputs, graph.Outputs);
    }

    private sealed class GraphConverter(TfliteModel model, TfliteSubgraph g, TfliteImportOptions options)
    {
        // NHWC axis a sits at position NhwcToNchw[a] of the NCHW tensor.
        private static readonly long[] ToNchw = [0, 3, 1, 2], ToNhwc = [0, 2, 3, 1];
        private static readonly int[] NhwcAxisInNchw = [0, 2, 3, 1];

        private readonly List<OnnxNode> _nodes = [];
        private readonly List<OnnxTensor> _initializers = [];
        /// <summary>Which layout each produced activation is held in (true = NCHW); constants are absent.</summary>
        private readonly Dictionary<int, bool> _layout = [];
        private readonly HashSet<string> _made = [];
        private readonly string[] _names = UniqueNames(g);
        private readonly HashSet<int> _boundaryNchw = [];
        private int _counter;

        public OnnxGraph Run(string name)
        {
            if (options.NchwInputsAndOutputs)
                foreach (var t in g.Inputs.Concat(g.Outputs))
                    if (g.Tensors[t].Shape.Length == 4) _boundaryNchw.Add(t);
            var inputs = new List<OnnxValueInfo>();
            foreach (int t in g.Inputs)
            {
                var tensor = g.Tensors[t];
                if (tensor.Type != TfliteTensorType.Float32)
                    throw FaceKitException.BadInput($"input '{tensor.Name}' is {tensor.Type}; only float32 models are imported");
                bool nchw = _boundaryNchw.Contains(t);
                _layout[t] = nchw;
                _made.Add(Name(t, nchw));
                inputs.Add(new OnnxValueInfo(Name(t, nchw), OnnxDataType.Float, Dims(tensor, nchw, input: true)));
            }
            foreach (var op in g.Operators) Convert(op);
            var outputs = new List<OnnxValueInfo>();
            foreach (int t in g.Outputs)
            {
                bool nchw = _boundaryNchw.Contains(t);
                outputs.Add(new OnnxValueInfo(Get(t, nchw), OnnxDataType.Float, Dims(g.Tensors[t], nchw, input: false)));
            }
            return new OnnxGraph { Name = name, Nodes = _nodes, Initializers = _initializers, Inputs = inputs, Outputs = outputs };
        }

        private static string[] UniqueNames(TfliteSubgraph g)
        {
            var seen = new HashSet<string>();
            var names = new string[g.Tensors.Count];
            for (int i = 0; i < names.Length; i++)
            {
                var n = g.Tensors[i].Name.Length > 0 ? g.Tensors[i].Name : $"tensor{i}";
                names[i] = seen.Add(n) ? n : $"{n}_{i}";
                seen.Add(names[i]);
            }
            return names;
        }

        /// <summary>Graph inputs/outputs keep the TFLite name in their boundary layout; the other layout gets a suffix.</summary>
        private string Name(int t, bool nchw) =>
            _boundaryNchw.Contains(t) ? (nchw ? _names[t] : _names[t] + "/nhwc") : (nchw ? _names[t] + "/nchw" : _names[t]);

        private List<OnnxDim> Dims(TfliteTensor t, bool nchw, bool input)
        {
            var dims = new List<OnnxDim>();
            for (int i = 0; i < t.Shape.Length; i++)
            {
                bool dynamic = (i < t.ShapeSignature.Length && t.ShapeSignature[i] < 0) ||
                               (i == 0 && options.DynamicBatch) ||
                               (t.Shape.Length == 4 && (i == 1 || i == 2) && options.DynamicSpatial);
                string? param = !dynamic ? null : i == 0 ? "N" : input ? (i == 1 ? "H" : "W") : null;
                dims.Add(dynamic ? new OnnxDim(null, param) : new OnnxDim(t.Shape[i], null));
            }
            if (nchw && dims.Count == 4) dims = [dims[0], dims[3], dims[1], dims[2]];
            return dims;
        }

        private bool IsConstant(int t) =>
            t >= 0 && ((g.Tensors[t].Buffer > 0 && model.Buffers[g.Tensors[t].Buffer].Length > 0) || _foldedConstants.ContainsKey(t));

        private int Rank(int t) => g.Tensors[t].Shape.Length;

        /// <summary>The ONNX name of tensor <paramref name="t"/> in the wanted layout (4-D only; other ranks ignore it).</summary>
        private string Get(int t, bool nchw)
        {
            if (Rank(t) != 4) nchw = false;
            if (IsConstant(t)) return Constant(t, nchw ? 4 : 0);
            if (!_layout.TryGetValue(t, out var held))
                throw FaceKitException.BadInput($"tensor '{g.Tensors[t].Name}' is used before any operator produces it");
            var name = Name(t, nchw);
            if (held == nchw || _made.Contains(name)) return name;
            Node("Transpose", [Name(t, held)], [name], OnnxAttribute.Of("perm", nchw ? ToNchw : ToNhwc));
            _made.Add(name);
            return name;
        }

        /// <summary>
        /// A constant as an initializer. With <paramref name="nchwRank"/> 4 it is meant to broadcast against an NCHW
        /// activation: its NHWC shape is left-padded to rank 4, then permuted (a per-channel [C] vector becomes [1,C,1,1]).
        /// </summary>
        private string Constant(int t, int nchwRank)
        {
            var tensor = g.Tensors[t];
            var name = _names[t] + (nchwRank == 4 ? "/nchw" : "");
            if (_made.Contains(name)) return name;
            long[] shape = tensor.Shape.Select(d => (long)d).ToArray();
            if (tensor.Type is TfliteTensorType.Int32 or TfliteTensorType.Int64)
            {
                _initializers.Add(OnnxTensor.FromInt64(name, shape, Ints(t)));
            }
            else
            {
                var values = Floats(t);
                if (nchwRank == 4)
                {
                    while (shape.Length < 4) shape = [1, .. shape];
                    values = Permute(values, shape, ToNchw);
                    shape = [shape[0], shape[3], shape[1], shape[2]];
                }
                _initializers.Add(OnnxTensor.FromFloats(name, shape, values));
            }
            _made.Add(name);
            return name;
        }

        private string Initializer(string hint, long[] dims, float[] values)
        {
            var name = $"{hint}";
            _initializers.Add(OnnxTensor.FromFloats(name, dims, values));
            _made.Add(name);
            return name;
        }

        private string Int64s(string hint, params long[] values)
        {
            var name = $"{hint}#{_counter++}";
            _initializers.Add(OnnxTensor.FromInt64(name, [values.Length], values));
            return name;
        }

        internal float[] Floats(int t)
        {
            if (_foldedConstants.TryGetValue(t, out var folded)) return folded;
            var tensor = g.Tensors[t];
            var raw = model.Buffers[tensor.Buffer].Span;
            if (tensor.Quantized && tensor.Type is not (TfliteTensorType.Float32 or TfliteTensorType.Float16))
                throw FaceKitException.BadInput($"tensor '{tensor.Name}' is quantized ({tensor.Type}); only float models are imported");
            return tensor.Type switch
            {
                TfliteTensorType.Float32 => MemoryMarshal.Cast<byte, float>(raw).ToArray(),
                TfliteTensorType.Float16 => Halves(raw),
                _ => throw FaceKitException.BadInput($"tensor '{tensor.Name}' holds {tensor.Type} data where float32 is expected"),
            };
        }

        private static float[] Halves(ReadOnlySpan<byte> raw)
        {
            var result = new float[raw.Length / 2];
            for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw.Slice(2 * i, 2));
            return result;
        }

        private long[] Ints(int t)
        {
            var tensor = g.Tensors[t];
            var raw = model.Buffers[tensor.Buffer].Span;
            return tensor.Type == TfliteTensorType.Int64
                ? MemoryMarshal.Cast<byte, long>(raw).ToArray()
                : MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (long)v).ToArray();
        }

        /// <summary>Row-major permutation of a constant: result dimension i is source dimension perm[i].</summary>
        internal static float[] Permute(float[] values, long[] shape, long[] perm)
        {
            int rank = shape.Length;
            var outShape = perm.Select(p => shape[p]).ToArray();
            var srcStride = new long[rank];
            srcStride[rank - 1] = 1;
            for (int i = rank - 2; i >= 0; i--) srcStride[i] = srcStride[i + 1] * shape[i + 1];
            var result = new float[values.Length];
            var index = new long[rank];
            for (int o = 0; o < result.Length; o++)
            {
                long src = 0;
                for (int i = 0; i < rank; i++) src += index[i] * srcStride[perm[i]];
                result[o] = values[src];
                for (int i = rank - 1; i >= 0; i--)
                {
                    if (++index[i] < outShape[i]) break;
                    index[i] = 0;
                }
            }
            return result;
        }

        private void Node(string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes) =>
            _nodes.Add(new OnnxNode { Name = $"{op}_{_nodes.Count}", OpType = op, Inputs = inputs, Outputs = outputs, Attributes = attributes });

        /// <summary>Registers the operator's output in a layout and returns the ONNX name to write it to.</summary>
        private string Output(int t, bool nchw)
        {
            if (Rank(t) != 4) nchw = false;
            _layout[t] = nchw;
            var name = Name(t, nchw);
            _made.Add(name);
            return name;
        }

        /// <summary>Writes <paramref name="value"/> into tensor t through the fused activation (NONE, RELU, RELU6, RELU_N1_TO_1, TANH).</summary>
        private void Activate(string value, int fused, int t, bool nchw, string opName)
        {
            var output = Output(t, nchw);
            switch (fused)
            {
                case 0: Node("Identity", [value], [output]); break;
                case 1: Node("Relu", [value], [output]); break;
                case 2: Node("Clip", [value, Scalar(-1), Scalar(1)], [output]); break;
                case 3: Node("Clip", [value, Scalar(0), Scalar(6)], [output]); break;
                case 4: Node("Tanh", [value], [output]); break;
                default: throw FaceKitException.BadInput($"{opName}: fused activation {fused} is not supported");
            }
        }

        private string Scalar(float v)
        {
            var name = $"const#{_counter++}";
            _initializers.Add(OnnxTensor.FromFloats(name, [], [v]));
            return name;
        }

        private string Temp(string hint) => $"{hint}#{_counter++}";

        private void Convert(TfliteOperator op)
        {
            var code = model.OperatorCodes[op.OpcodeIndex];
            var o = op.Options;
            int x = op.Inputs.Length > 0 ? op.Inputs[0] : -1, y = op.Outputs[0];
            string opName = $"{code.Name} → '{g.Tensors[y].Name}'";
            switch (code.Builtin)
            {
                case TfliteOps.Conv2D:
                case TfliteOps.DepthwiseConv2D:
                {
                    bool depthwise = code.Builtin == TfliteOps.DepthwiseConv2D;
                    // Conv2DOptions: padding 0, stride_w 1, stride_h 2, fused 3, dilation_w 4, dilation_h 5.
                    // DepthwiseConv2DOptions: padding 0, stride_w 1, stride_h 2, depth_multiplier 3, fused 4, dilation_w 5, dilation_h 6.
                    int padding = o?.Int8(0) ?? 0, sw = o?.Int32(1, 1) ?? 1, sh = o?.Int32(2, 1) ?? 1;
                    int fused = o?.Int8(depthwise ? 4 : 3) ?? 0;
                    int dw = o?.Int32(depthwise ? 5 : 4, 1) ?? 1, dh = o?.Int32(depthwise ? 6 : 5, 1) ?? 1;
                    int w = op.Inputs[1];
                    if (!IsConstant(w)) throw FaceKitException.BadInput($"{opName}: weights must be constant");
                    var ws = g.Tensors[w].Shape; // conv [O,kh,kw,I]; depthwise [1,kh,kw,C·M]
                    long[] kshape = ws.Select(d => (long)d).ToArray();
                    var weights = Permute(Floats(w), kshape, depthwise ? [3, 0, 1, 2] : [0, 3, 1, 2]);
                    long[] onnxShape = depthwise ? [ws[3], 1, ws[1], ws[2]] : [ws[0], ws[3], ws[1], ws[2]];
                    var wName = Initializer(_names[w] + "/oihw", onnxShape, weights);
                    var inputs = new List<string> { Get(x, true), wName };
                    if (op.Inputs.Length > 2 && op.Inputs[2] >= 0) inputs.Add(Get(op.Inputs[2], false));
                    var attrs = new List<OnnxAttribute>
                    {
                        OnnxAttribute.Of("kernel_shape", ws[1], ws[2]), OnnxAttribute.Of("strides", sh, sw),
                        OnnxAttribute.Of("dilations", dh, dw), OnnxAttribute.Of("group", depthwise ? g.Tensors[x].Shape[3] : 1L),
                    };
                    attrs.AddRange(Padding(padding, x, ws[1], ws[2], sh, sw, dh, dw));
                    var conv = Temp(_names[y] + "/conv");
                    Node("Conv", [.. inputs], [conv], [.. attrs]);
                    Activate(conv, fused, y, true, opName);
                    break;
                }
                case TfliteOps.MaxPool2D:
                case TfliteOps.AveragePool2D:
                {
                    // Pool2DOptions: padding 0, stride_w 1, stride_h 2, filter_width 3, filter_height 4, fused 5.
                    int padding = o?.Int8(0) ?? 0, sw = o?.Int32(1, 1) ?? 1, sh = o?.Int32(2, 1) ?? 1;
                    int fw = o?.Int32(3, 1) ?? 1, fh = o?.Int32(4, 1) ?? 1, fused = o?.Int8(5) ?? 0;
                    var attrs = new List<OnnxAttribute> { OnnxAttribute.Of("kernel_shape", fh, fw), OnnxAttribute.Of("strides", sh, sw) };
                    attrs.AddRange(Padding(padding, x, fh, fw, sh, sw, 1, 1));
                    // TFLite averages over the valid pixels only, never the padding.
                    if (code.Builtin == TfliteOps.AveragePool2D) attrs.Add(OnnxAttribute.Of("count_include_pad", 0L));
                    var pool = Temp(_names[y] + "/pool");
                    Node(code.Builtin == TfliteOps.MaxPool2D ? "MaxPool" : "AveragePool", [Get(x, true)], [pool], [.. attrs]);
                    Activate(pool, fused, y, true, opName);
                    break;
                }
                case TfliteOps.FullyConnected:
                {
                    // FullyConnectedOptions: fused 0, weights_format 1, keep_num_dims 2.
                    int fused = o?.Int8(0) ?? 0;
                    if ((o?.Int8(1) ?? 0) != 0) throw FaceKitException.BadInput($"{opName}: shuffled weight formats are not supported");
                    int w = op.Inputs[1];
                    if (!IsConstant(w)) throw FaceKitException.BadInput($"{opName}: weights must be constant");
                    long k = g.Tensors[w].Shape[1];
                    var input = Get(x, false);
                    if (Rank(x) != 2)
                    {
                        var flat = Temp(_names[x] + "/flat");
                        Node("Reshape", [input, Int64s("shape", -1, k)], [flat]);
                        input = flat;
                    }
                    var inputs = new List<string> { input, Get(w, false) };
                    if (op.Inputs.Length > 2 && op.Inputs[2] >= 0) inputs.Add(Get(op.Inputs[2], false));
                    var gemm = Temp(_names[y] + "/gemm");
                    Node("Gemm", [.. inputs], [gemm], OnnxAttribute.Of("transB", 1L));
                    if (Rank(y) != 2)
                    {
                        var shaped = Temp(_names[y] + "/shaped");
                        Node("Reshape", [gemm, Int64s("shape", [.. BatchAware(g.Tensors[y].Shape, g.Tensors[x].Shape)])], [shaped]);
                        gemm = shaped;
                    }
                    Activate(gemm, fused, y, false, opName);
                    break;
                }
                case TfliteOps.Add:
                case TfliteOps.Sub:
                case TfliteOps.Mul:
                case TfliteOps.Div:
                case TfliteOps.Prelu:
                {
                    bool nchw = BinaryLayout(op.Inputs);
                    var onnxOp = code.Builtin switch
                    {
                        TfliteOps.Add => "Add", TfliteOps.Sub => "Sub", TfliteOps.Mul => "Mul", TfliteOps.Div => "Div", _ => "PRelu",
                    };
                    var a = Operand(op.Inputs[0], nchw);
                    var b = Operand(op.Inputs[1], nchw);
                    // Add, Sub, Mul and Div options all hold fused_activation_function at field 0; PRELU has none.
                    int fused = code.Builtin == TfliteOps.Prelu ? 0 : o?.Int8(0) ?? 0;
                    var r = Temp(_names[y] + "/" + onnxOp.ToLowerInvariant());
                    Node(onnxOp, [a, b], [r]);
                    Activate(r, fused, y, nchw && Rank(y) == 4, opName);
                    break;
                }
                case TfliteOps.Relu: Unary("Relu", x, y); break;
                case TfliteOps.Abs: Unary("Abs", x, y); break;
                case TfliteOps.Neg: Unary("Neg", x, y); break;
                case TfliteOps.Exp: Unary("Exp", x, y); break;
                case TfliteOps.Logistic: Unary("Sigmoid", x, y); break;
                case TfliteOps.Tanh: Unary("Tanh", x, y); break;
                case TfliteOps.Relu6:
                case TfliteOps.ReluN1To1:
                {
                    bool nchw = Held(x);
                    float lo = code.Builtin == TfliteOps.Relu6 ? 0 : -1, hi = code.Builtin == TfliteOps.Relu6 ? 6 : 1;
                    Node("Clip", [Get(x, nchw), Scalar(lo), Scalar(hi)], [Output(y, nchw)]);
                    break;
                }
                case TfliteOps.Dequantize:
                {
                    // float16 weights stored compactly: fold to float32 constants at import time.
                    if (!IsConstant(x)) throw FaceKitException.BadInput($"{opName}: only constant (float16 weight) dequantization is supported");
                    _foldedConstants[y] = Floats(x);
                    break;
                }
                case TfliteOps.Reshape:
                {
                    // ReshapeOptions: new_shape 0; newer files give the shape as a constant second input instead.
                    long[] shape = op.Inputs.Length > 1 && op.Inputs[1] >= 0 && IsConstant(op.Inputs[1])
                        ? Ints(op.Inputs[1])
                        : o?.Int32Vector(0).Select(v => (long)v).ToArray() is { Length: > 0 } s ? s : g.Tensors[y].Shape.Select(d => (long)d).ToArray();
                    Node("Reshape", [Get(x, false), Int64s("shape", BatchAware(shape.Select(v => (int)v).ToArray(), g.Tensors[x].Shape))], [Output(y, false)]);
                    break;
                }
                case TfliteOps.Softmax:
                {
                    float beta = o?.Float32(0, 1f) ?? 1f;
                    bool nchw = Held(x);
                    var input = Get(x, nchw);
                    if (beta != 1f)
                    {
                        var scaled = Temp(_names[x] + "/beta");
                        Node("Mul", [input, Scalar(beta)], [scaled]);
                        input = scaled;
                    }
                    Node("Softmax", [input], [Output(y, nchw)], OnnxAttribute.Of("axis", nchw ? 1L : -1L));
                    break;
                }
                case TfliteOps.ReduceMax:
                case TfliteOps.Sum:
                case TfliteOps.Mean:
                {
                    bool keep = o?.Bool(0) ?? false; // ReducerOptions: keep_dims 0
                    int axesTensor = op.Inputs[1];
                    if (!IsConstant(axesTensor)) throw FaceKitException.BadInput($"{opName}: axes must be constant");
                    int rank = Rank(x);
                    var axes = Ints(axesTensor).Select(a => a < 0 ? a + rank : a).ToArray();
                    bool nchw = keep && Held(x);
                    if (nchw) axes = axes.Select(a => (long)NhwcAxisInNchw[a]).ToArray();
                    var input = Get(x, nchw);
                    var output = Output(y, nchw);
                    var keepAttr = OnnxAttribute.Of("keepdims", keep ? 1L : 0L);
                    if (code.Builtin == TfliteOps.Sum) Node("ReduceSum", [input, Int64s("axes", axes)], [output], keepAttr);
                    else Node(code.Builtin == TfliteOps.Mean ? "ReduceMean" : "ReduceMax", [input], [output], OnnxAttribute.Of("axes", axes), keepAttr);
                    break;
                }
                case TfliteOps.L2Normalization:
                {
                    bool nchw = Held(x);
                    Node("LpNormalization", [Get(x, nchw)], [Output(y, nchw)], OnnxAttribute.Of("axis", nchw ? 1L : -1L), OnnxAttribute.Of("p", 2L));
                    break;
                }
                default:
                    throw FaceKitException.BadInput($"the TFLite importer does not map {code.Name}");
            }
        }

        private readonly Dictionary<int, float[]> _foldedConstants = [];

        private bool Held(int t) => !IsConstant(t) && _layout.TryGetValue(t, out var nchw) && nchw;

        private void Unary(string op, int x, int y)
        {
            bool nchw = Held(x);
            Node(op, [Get(x, nchw)], [Output(y, nchw)]);
        }

        /// <summary>An elementwise op runs NCHW when one operand is an NCHW activation and every other activation operand is 4-D too.</summary>
        private bool BinaryLayout(int[] inputs)
        {
            bool any = false;
            foreach (int t in inputs)
            {
                if (t < 0 || IsConstant(t)) continue;
                if (Rank(t) != 4) return false;
                any |= Held(t);
            }
            return any;
        }

        private string Operand(int t, bool nchw) => IsConstant(t) ? Constant(t, nchw ? 4 : 0) : Get(t, nchw);

        /// <summary>A target shape whose leading dimension equals the input batch is written as 0 (copy), so a dynamic batch flows through.</summary>
        private long[] BatchAware(int[] shape, int[] inputShape)
        {
            var result = shape.Select(v => (long)v).ToArray();
            if (options.DynamicBatch && result.Length > 0 && inputShape.Length > 0 && result[0] == inputShape[0]) result[0] = 0;
            return result;
        }

        /// <summary>
        /// SAME (0) or VALID (1). TFLite's SAME: out = ceil(in/stride), total = max((out−1)·stride + (k−1)·dilation + 1 − in, 0),
        /// total/2 before and the rest after — exactly ONNX's SAME_UPPER.
        /// </summary>
        private IEnumerable<OnnxAttribute> Padding(int padding, int x, int kh, int kw, int sh, int sw, int dh, int dw)
        {
            if (padding == 1) return [OnnxAttribute.Of("pads", 0L, 0, 0, 0)];
            if (padding != 0) throw FaceKitException.BadInput($"unknown TFLite padding {padding}");
            if (options.DynamicSpatial) return [OnnxAttribute.Of("auto_pad", "SAME_UPPER")];
            var s = g.Tensors[x].Shape;
            var (top, bottom) = Same(s[1], kh, sh, dh);
            var (left, right) = Same(s[2], kw, sw, dw);
            return [OnnxAttribute.Of("pads", top, left, bottom, right)];
        }

        internal static (long Before, long After) Same(int size, int kernel, int stride, int dilation)
        {
            int output = (size + stride - 1) / stride;
            int total = Math.Max((output - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
            return (total / 2, total - total / 2);
        }
    }
}
