using FaceKit.Onnx;

namespace FaceKit.Profiling.Analysis;

/// <summary>The geometry of a sliding-window node (Conv, pools), as target rules need it.</summary>
public sealed record WindowFacts(long[] Kernel, long[] Strides, long[] Dilations, long Group, long InputChannels, long OutputChannels, long[] InputSpatial)
{
    /// <summary>One group per input channel and one output per group: a depthwise convolution.</summary>
    public bool Depthwise => Group > 1 && Group == InputChannels && OutputChannels == InputChannels;
}

/// <summary>
/// Multiply-accumulate counts per node. Conventions (also printed with every report, see <see cref="Formulas"/>):
/// a MACC is one multiply-add; bias additions, Q/DQ pairs and pure data movement count zero.
/// </summary>
public static class OpCost
{
    public static readonly IReadOnlyList<string> Formulas =
    [
        "Conv: MACC = N·Cout·Hout·Wout·(Cin/group)·kH·kW (bias adds not counted); depthwise is the group = Cin case",
        "ConvTranspose: MACC = N·Cin·Hin·Win·(Cout/group)·kH·kW",
        "Gemm: MACC = M·N·K; MatMul: MACC = (broadcast batch)·M·N·K",
        "MaxPool/AveragePool: MACC = output elements·kH·kW; GlobalAveragePool, Reduce*: MACC = input elements",
        "BatchNormalization (not folded), element-wise ops and activations (Add, Mul, Relu, PRelu, Clip, Sigmoid, …): MACC = output elements",
        "Softmax/LogSoftmax: MACC = 3·elements (exp, sum, scale); Resize linear: 4·output elements, nearest: 0",
        "Reshape, Flatten, Transpose, Concat, Slice, Gather, Pad, Identity, Dropout, Shape, Cast, QuantizeLinear, DequantizeLinear: MACC = 0",
        "params = elements of the weight and bias initializers a node reads (shape/axes/index inputs and Q/DQ scales and zero points excluded); each initializer counted once",
        "weights fp32 = params·4, fp16 = params·2; int8 = bytes of the real initializer types when the model is quantised (int8 weights, int32 biases, scales, zero points), else params·1 + bias params·3 (int32 biases)",
        "activation peak = max over the schedule of the bytes of live intermediate tensors (graph inputs/outputs and initializers excluded); schedule = topological order, a tensor is freed after its last consumer; views (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout, Q/DQ) share their input's buffer; unary and binary element-wise ops and BatchNormalization write in place into an input that dies there",
        "flash = weight bytes at the target's precision + per-op overhead·counted nodes; RAM = activation peak + input bytes + output bytes",
        "counted nodes (offload rate, transitions, flash overhead) exclude Identity, Dropout, QuantizeLinear, DequantizeLinear and nodes folded to constants",
    ];

    internal static readonly HashSet<string> ElementWise = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean", "Where", "And", "Or", "Xor", "Not", "Equal", "Greater",
        "GreaterOrEqual", "Less", "LessOrEqual", "BitShift", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Clip", "HardSigmoid", "HardSwish",
        "Elu", "Selu", "Celu", "Exp", "Log", "Sqrt", "Neg", "Abs", "Erf", "Softplus", "Softsign", "Reciprocal", "Floor", "Ceil", "Round",
        "Sign", "Sin", "Cos", "Tan", "Mish", "Gelu", "Shrink", "ThresholdedRelu", "PRelu", "BatchNormalization", "InstanceNormalization",
        "LayerNormalization", "LpNormalization", "LRN", "MeanVarianceNormalization", "CumSum", "IsNaN", "IsInf",
    };

    /// <summary>Ops that only move or re-type data: zero MACC by convention.</summary>
    internal static readonly HashSet<string> DataMovement = new(StringComparer.Ordinal)
    {
        "Reshape", "Flatten", "Transpose", "Concat", "Split", "Slice", "Gather", "Pad", "Squeeze", "Unsqueeze", "Identity", "Dropout",
        "Shape", "Size", "Cast", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "Expand", "Tile", "DepthToSpace",
        "SpaceToDepth", "Constant", "ConstantOfShape", "Range",
    };

    /// <summary>Where the data and weight inputs of a convolution-like node are.</summary>
    internal static (int X, int W, int B) ConvInputs(string op) => op switch
    {
        "QLinearConv" => (0, 3, 8),
        "ConvInteger" => (0, 1, -1),
        _ => (0, 1, 2),
    };

    internal static bool IsConvLike(string op) => op is "Conv" or "ConvInteger" or "QLinearConv" or "ConvTranspose";

    internal static bool IsPool(string op) => op is "MaxPool" or "AveragePool" or "LpPool";

    internal static bool IsGlobalPool(string op) => op is "GlobalAveragePool" or "GlobalMaxPool" or "GlobalLpPool";

    /// <summary>Kernel, strides, dilations and grouping of a Conv or pool node; null for other ops or unknown shapes.</summary>
    public static WindowFacts? Window(OnnxNode n, InferredGraph g)
    {
        var x = g.Info(n.Input(0)).Shape;
        if (IsGlobalPool(n.OpType))
            return x is { Length: >= 3 } gs ? new WindowFacts(gs[2..], Ones(gs.Length - 2), Ones(gs.Length - 2), 1, gs[1], gs[1], gs[2..]) : null;
        long[]? kernel;
        long group = 1, cout;
        if (IsConvLike(n.OpType))
        {
            var (_, wi, _) = ConvInputs(n.OpType);
            var w = g.Info(n.Input(wi)).Shape;
            kernel = n.Ints("kernel_shape") is { Count: > 0 } k ? k.ToArray() : w is { Length: > 2 } ? w[2..] : null;
            group = n.Int("group", 1);
            cout = w is null ? 0 : n.OpType == "ConvTranspose" ? w[1] * group : w[0];
        }
        else if (IsPool(n.OpType))
        {
            kernel = n.Ints("kernel_shape")?.ToArray();
            cout = x is { Length: >= 2 } ? x[1] : 0;
        }
        else return null;
        if (kernel is null || x is not { Length: >= 3 }) return null;
        int dims = kernel.Length;
        var strides = n.Ints("strides") is { Count: > 0 } s && s.Count == dims ? s.ToArray() : Ones(dims);
        var dil = n.Ints("dilations") is { Count: > 0 } d && d.Count == dims ? d.ToArray() : Ones(dims);
        return new WindowFacts(kernel, strides, dil, group, x[1], cout, x[2..]);
    }

    private static long[] Ones(int n) => Enumerable.Repeat(1L, n).ToArray();

    /// <summary>MACC of one node; null when a shape it needs is unknown.</summary>
    public static long? Macc(OnnxNode n, InferredGraph g)
    {
        var output = g.Info(n.Outputs.Count > 0 ? n.Outputs[0] : null);
        var input = g.Info(n.Input(0));
        string op = n.OpType;
        if (DataMovement.Contains(op)) return 0;
        switch (op)
        {
            case "Conv" or "ConvInteger" or "QLinearConv":
            {
                var (_, wi, _) = ConvInputs(op);
                if (output.Elements is not { } outs || g.Info(n.Input(wi)).Shape is not { Length: >= 2 } w) return null;
                long perOutput = w[1]; // Cin / group
                for (int i = 2; i < w.Length; i++) perOutput *= w[i];
                return outs * perOutput;
            }
            case "ConvTranspose":
            {
                if (input.Elements is not { } ins || g.Info(n.Input(1)).Shape is not { Length: >= 2 } w) return null;
                long perInput = w[1];
                for (int i = 2; i < w.Length; i++) perInput *= w[i];
                return ins * perInput;
            }
            case "Gemm":
            {
                if (output.Elements is not { } outs || input.Shape is not [var a0, var a1]) return null;
                long k = n.Int("transA", 0) != 0 ? a0 : a1;
                return outs * k;
            }
            case "MatMul" or "MatMulInteger" or "QLinearMatMul":
            {
                if (output.Elements is not { } outs || input.Shape is not { Length: >= 1 } a) return null;
                return outs * a[^1];
            }
            case "MaxPool" or "AveragePool" or "LpPool":
            {
                if (output.Elements is not { } outs || n.Ints("kernel_shape") is not { Count: > 0 } k) return null;
                return outs * k.Aggregate(1L, (p, v) => p * v);
            }
            case "GlobalAveragePool" or "GlobalMaxPool" or "GlobalLpPool":
            case "ReduceMean" or "ReduceSum" or "ReduceMax" or "ReduceMin" or "ReduceProd" or "ReduceL1" or "ReduceL2"
                or "ReduceLogSum" or "ReduceLogSumExp" or "ReduceSumSquare" or "ArgMax" or "ArgMin":
                return input.Elements;
            case "Softmax" or "LogSoftmax" or "Hardmax":
                return output.Elements * 3;
            case "Resize" or "Upsample":
                return n.String("mode", "nearest") is "linear" or "bilinear" ? output.Elements * 4 : 0;
        }
        if (ElementWise.Contains(op)) return output.Elements;
        return null;
    }
}
