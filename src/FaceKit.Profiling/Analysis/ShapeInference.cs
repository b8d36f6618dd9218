using FaceKit.Onnx;

namespace FaceKit.Profiling.Analysis;

/// <summary>What shape inference learnt about every tensor of a graph.</summary>
public sealed class InferredGraph
{
    internal InferredGraph(OnnxModel model) => Model = model;

    public OnnxModel Model { get; }

    /// <summary>Nodes in a topological order (the file's order when it already is one).</summary>
    public IReadOnlyList<OnnxNode> Order { get; internal set; } = [];

    /// <summary>Every tensor name seen (inputs, initializers, node outputs) → type and shape.</summary>
    public Dictionary<string, TensorInfo> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Small integer tensors whose values are known before run time (shape arithmetic, axes, Reshape targets).</summary>
    public Dictionary<string, long[]> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Tensors fixed at export time: initializers and outputs of nodes whose inputs are all constant.</summary>
    public HashSet<string> Constants { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, OnnxTensor> Initializers { get; } = new(StringComparer.Ordinal);

    /// <summary>Real graph inputs (initializers some exporters also list as inputs are left out).</summary>
    public List<string> Inputs { get; } = [];

    public List<string> Outputs { get; } = [];

    /// <summary>Op types shape inference has no rule for (outputs unknown unless the file declares them).</summary>
    public SortedSet<string> UnknownOps { get; } = new(StringComparer.Ordinal);

    public List<string> Warnings { get; } = [];

    public TensorInfo Info(string? name) => name is not null && Tensors.TryGetValue(name, out var t) ? t : TensorInfo.Unknown;
}

/// <summary>
/// Static shape inference for a batch-1 graph: walks the nodes in topological order, computing each output's
/// type and shape from its inputs and attributes, and folding small integer tensors (Shape → Gather →
/// Unsqueeze → Concat → Reshape chains) so data-dependent-looking reshapes resolve. An op without a rule
/// gets the shape the file declares (value_info) or stays unknown; inference never throws on a node.
/// </summary>
public static class ShapeInference
{
    public static InferredGraph Run(OnnxModel model, IReadOnlyDictionary<string, long[]>? inputShapes = null)
    {
        var g = new InferredGraph(model);
        var graph = model.Graph;
        foreach (var t in graph.Initializers)
        {
            g.Initializers[t.Name] = t;
            g.Tensors[t.Name] = new TensorInfo(t.DataType, t.Dims.ToArray());
            g.Constants.Add(t.Name);
            if (IsSmallInteger(t) && t.ToInt64Array() is { } v) g.Values[t.Name] = v;
        }
        foreach (var input in graph.Inputs)
        {
            if (g.Initializers.ContainsKey(input.Name)) continue;
            g.Inputs.Add(input.Name);
            g.Tensors[input.Name] = InputInfo(input, inputShapes, g.Warnings);
        }
        if (inputShapes is not null)
            foreach (var name in inputShapes.Keys.Where(k => !g.Inputs.Contains(k)))
                g.Warnings.Add($"--input-shape names '{name}', which is not an input of this model (inputs: {string.Join(", ", g.Inputs)})");
        g.Outputs.AddRange(graph.Outputs.Select(o => o.Name));

        var declared = new Dictionary<string, OnnxValueInfo>(StringComparer.Ordinal);
        foreach (var v in graph.ValueInfo.Concat(graph.Outputs)) declared[v.Name] = v;

        g.Order = TopologicalOrder(graph, g.Warnings);
        var ctx = new Context(g, model.DefaultOpset);
        foreach (var node in g.Order)
        {
            TensorInfo[] outs;
            try
            {
                outs = ctx.Infer(node);
            }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException or OverflowException or DivideByZeroException)
            {
                g.Warnings.Add($"{node}: shape inference failed ({e.Message}); outputs marked unknown");
                outs = [];
            }
            bool allConstant = node.OpType != "Shape" && node.Inputs.Any(i => i.Length > 0) && node.Inputs.Where(i => i.Length > 0).All(g.Constants.Contains)
                               && Foldable(node);
            for (int i = 0; i < node.Outputs.Count; i++)
            {
                var name = node.Outputs[i];
                if (name.Length == 0) continue;
                var info = i < outs.Length ? outs[i] : TensorInfo.Unknown;
                if (!info.Known && declared.TryGetValue(name, out var d) && Static(d) is { } shape)
                    info = new TensorInfo(info.DataType == OnnxDataType.Undefined ? d.ElementType : info.DataType, shape);
                else if (info.DataType == OnnxDataType.Undefined && declared.TryGetValue(name, out var d2))
                    info = info with { DataType = d2.ElementType };
                g.Tensors[name] = info;
                bool constant = allConstant || node.OpType == "Constant" || (node.OpType == "Shape" && g.Values.ContainsKey(name));
                if (constant) g.Constants.Add(name);
            }
        }
        return g;
    }

    /// <summary>
    /// Whether constant inputs make a node's outputs constant: not for random ops, not for control flow (its
    /// subgraphs read outer tensors that are not inputs), not for custom-domain ops whose semantics are unknown.
    /// </summary>
    private static bool Foldable(OnnxNode n) =>
        n.Domain is "" or "ai.onnx" && !n.OpType.StartsWith("Random", StringComparison.Ordinal)
        && n.OpType is not ("Multinomial" or "Bernoulli" or "If" or "Loop" or "Scan");

    private static bool IsSmallInteger(OnnxTensor t) =>
        t.DataType is OnnxDataType.Int64 or OnnxDataType.Int32 && t.ElementCount <= 64;

    private static long[]? Static(OnnxValueInfo v) =>
        v.Shape is { } s && s.All(d => d.Value is > 0) ? s.Select(d => d.Value!.Value).ToArray() : null;

    private static TensorInfo InputInfo(OnnxValueInfo input, IReadOnlyDictionary<string, long[]>? overrides, List<string> warnings)
    {
        if (overrides is not null && overrides.TryGetValue(input.Name, out var given)) return new TensorInfo(input.ElementType, given);
        if (input.Shape is null)
        {
            warnings.Add($"input '{input.Name}' declares no shape; pass --input-shape {input.Name}=1x...");
            return new TensorInfo(input.ElementType, null);
        }
        var shape = new long[input.Shape.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            var d = input.Shape[i];
            if (d.Value is > 0) shape[i] = d.Value.Value;
            else if (i == 0) shape[i] = 1; // dynamic batch is analysed as batch 1
            else
            {
                warnings.Add($"input '{input.Name}' has dynamic dimension {i} ('{d}'); pass --input-shape {input.Name}=1x...");
                return new TensorInfo(input.ElementType, null);
            }
        }
        return new TensorInfo(input.ElementType, shape);
    }

    /// <summary>Kahn's algorithm, stable: among ready nodes the earliest in the file goes first.</summary>
    internal static IReadOnlyList<OnnxNode> TopologicalOrder(OnnxGraph graph, List<string> warnings)
    {
        var nodes = graph.Nodes;
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
            foreach (var o in nodes[i].Outputs)
                if (o.Length > 0) producer[o] = i;
        var pending = new int[nodes.Count];
        var consumers = new List<int>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) consumers[i] = [];
        for (int i = 0; i < nodes.Count; i++)
            foreach (var input in nodes[i].Inputs.Where(x => x.Length > 0).Distinct())
                if (producer.TryGetValue(input, out int p) && p != i)
                {
                    pending[i]++;
                    consumers[p].Add(i);
                }
        var ready = new SortedSet<int>(Enumerable.Range(0, nodes.Count).Where(i => pending[i] == 0));
        var order = new List<OnnxNode>(nodes.Count);
        while (ready.Count > 0)
        {
            int i = ready.Min;
            ready.Remove(i);
            order.Add(nodes[i]);
            foreach (var c in consumers[i])
                if (--pending[c] == 0) ready.Add(c);
        }
        if (order.Count < nodes.Count)
        {
            warnings.Add($"the graph has a cycle: {nodes.Count - order.Count} node(s) left out of the schedule");
        }
        return order;
    }

    private sealed class Context(InferredGraph g, long opset)
    {
        private TensorInfo In(OnnxNode n, int i) => g.Info(n.Input(i));

        private long[]? Shape(OnnxNode n, int i) => In(n, i).Shape;

        private long[]? Values(OnnxNode n, int i) => n.Input(i) is { } name && g.Values.TryGetValue(name, out var v) ? v : null;

        private double[]? Doubles(OnnxNode n, int i)
        {
            if (n.Input(i) is not { } name) return null;
            if (g.Initializers.TryGetValue(name, out var t)) return t.ToDoubleArray();
            return g.Values.TryGetValue(name, out var v) ? v.Select(x => (double)x).ToArray() : null;
        }

        private void SetValues(OnnxNode n, int output, long[]? values)
        {
            if (values is not null && values.Length <= 64 && output < n.Outputs.Count && n.Outputs[output].Length > 0)
                g.Values[n.Outputs[output]] = values;
        }

        private static TensorInfo[] One(OnnxDataType t, long[]? shape) => [new TensorInfo(t, shape)];

        public TensorInfo[] Infer(OnnxNode n)
        {
            var x = In(n, 0);
            switch (n.OpType)
            {
                case "Conv": return One(x.DataType, ConvShape(n, 0, 1));
                case "ConvInteger": return One(OnnxDataType.Int32, ConvShape(n, 0, 1));
                case "QLinearConv": return One(In(n, 7).DataType is var q and not OnnxDataType.Undefined ? q : OnnxDataType.UInt8, ConvShape(n, 0, 3));
                case "ConvTranspose": return One(x.DataType, ConvTransposeShape(n));
                case "Gemm": return One(x.DataType, GemmShape(n));
                case "MatMul": return One(x.DataType, MatMulShape(Shape(n, 0), Shape(n, 1)));
                case "MatMulInteger": return One(OnnxDataType.Int32, MatMulShape(Shape(n, 0), Shape(n, 1)));
                case "QLinearMatMul": return One(In(n, 7).DataType, MatMulShape(Shape(n, 0), Shape(n, 3)));

                case "MaxPool" or "AveragePool" or "LpPool":
                {
                    var shape = PoolShape(n);
                    return n.OpType == "MaxPool" && n.Outputs.Count > 1
                        ? [new TensorInfo(x.DataType, shape), new TensorInfo(OnnxDataType.Int64, shape)]
                        : One(x.DataType, shape);
                }
                case "GlobalAveragePool" or "GlobalMaxPool" or "GlobalLpPool":
                {
                    return One(x.DataType, x.Shape is { Length: >= 2 } gs ? [gs[0], gs[1], .. Enumerable.Repeat(1L, gs.Length - 2)] : null);
                }

                case "BatchNormalization" or "InstanceNormalization" or "LpNormalization" or "LRN" or "MeanVarianceNormalization"
                    or "Relu" or "Sigmoid" or "Tanh" or "LeakyRelu" or "Clip" or "HardSigmoid" or "HardSwish" or "Elu" or "Selu" or "Celu"
                    or "Exp" or "Log" or "Sqrt" or "Neg" or "Abs" or "Erf" or "Softplus" or "Softsign" or "Reciprocal" or "Floor" or "Ceil"
                    or "Round" or "Sign" or "Sin" or "Cos" or "Tan" or "Mish" or "Gelu" or "Shrink" or "ThresholdedRelu" or "Identity"
                    or "Softmax" or "LogSoftmax" or "Hardmax" or "CumSum" or "LayerNormalization" or "Dropout":
                {
                    var result = new TensorInfo[Math.Max(1, n.Outputs.Count)];
                    result[0] = x;
                    for (int i = 1; i < result.Length; i++)
                        result[i] = n.OpType == "Dropout" ? new TensorInfo(OnnxDataType.Bool, x.Shape) : TensorInfo.Unknown;
                    if (n.OpType == "Identity") SetValues(n, 0, Values(n, 0));
                    return result;
                }
                case "Not": return One(OnnxDataType.Bool, x.Shape);
                case "IsNaN" or "IsInf": return One(OnnxDataType.Bool, x.Shape);
                case "PRelu": return One(x.DataType, Broadcast(x.Shape, Shape(n, 1)));

                case "Add" or "Sub" or "Mul" or "Div" or "Pow" or "Mod" or "BitShift":
                {
                    var shape = Broadcast(x.Shape, Shape(n, 1));
                    if (Values(n, 0) is { } a && Values(n, 1) is { } b) SetValues(n, 0, Arithmetic(n.OpType, a, b));
                    return One(x.DataType, shape);
                }
                case "And" or "Or" or "Xor" or "Equal" or "Greater" or "GreaterOrEqual" or "Less" or "LessOrEqual":
                    return One(OnnxDataType.Bool, Broadcast(x.Shape, Shape(n, 1)));
                case "Max" or "Min" or "Sum" or "Mean":
                {
                    long[]? shape = x.Shape;
                    for (int i = 1; i < n.Inputs.Count; i++) shape = Broadcast(shape, Shape(n, i));
                    return One(x.DataType, shape);
                }
                case "Where": return One(In(n, 1).DataType, Broadcast(Broadcast(x.Shape, Shape(n, 1)), Shape(n, 2)));

                case "QuantizeLinear":
                {
                    var type = n.Int("output_dtype", 0) is > 0 and var od ? (OnnxDataType)od
                        : In(n, 2).DataType is var zp and not OnnxDataType.Undefined ? zp : OnnxDataType.UInt8;
                    return One(type, x.Shape);
                }
                case "DequantizeLinear":
                {
                    var scale = In(n, 1).DataType;
                    return One(scale.IsFloat() ? scale : OnnxDataType.Float, x.Shape);
                }
                case "DynamicQuantizeLinear":
                    return [new TensorInfo(OnnxDataType.UInt8, x.Shape), new TensorInfo(OnnxDataType.Float, []), new TensorInfo(OnnxDataType.UInt8, [])];
                case "Cast":
                    SetValues(n, 0, Values(n, 0));
                    return One((OnnxDataType)n.Int("to", (long)x.DataType), x.Shape);

                case "Constant": return ConstantInfo(n);
                case "ConstantOfShape":
                {
                    var shape = Values(n, 0);
                    var value = n.Attribute("value")?.T;
                    var type = value?.DataType ?? OnnxDataType.Float;
                    if (shape is not null && type is OnnxDataType.Int64 or OnnxDataType.Int32 && value?.ToInt64Array() is [var fill])
                    {
                        long count = shape.Aggregate(1L, (p, d) => p * d);
                        if (count <= 64) SetValues(n, 0, Enumerable.Repeat(fill, (int)count).ToArray());
                    }
                    return One(type, shape);
                }
                case "Shape":
                {
                    if (x.Shape is not { } s) return One(OnnxDataType.Int64, null);
                    int rank = s.Length;
                    int start = (int)Axis(n.Int("start", 0), rank, clamp: true), end = (int)Axis(n.Int("end", rank), rank, clamp: true);
                    var values = s[start..Math.Max(start, end)];
                    SetValues(n, 0, values);
                    return One(OnnxDataType.Int64, [values.Length]);
                }
                case "Size":
                {
                    if (x.Elements is { } elements) SetValues(n, 0, [elements]);
                    return One(OnnxDataType.Int64, []);
                }

                case "Reshape": return One(x.DataType, ReshapeShape(n, x.Shape));
                case "Flatten":
                {
                    if (x.Shape is not { } s) return One(x.DataType, null);
                    int axis = (int)Axis(n.Int("axis", 1), s.Length + 1);
                    long outer = s[..axis].Aggregate(1L, (p, d) => p * d), inner = s[axis..].Aggregate(1L, (p, d) => p * d);
                    return One(x.DataType, [outer, inner]);
                }
                case "Transpose":
                {
                    if (x.Shape is not { } s) return One(x.DataType, null);
                    var perm = n.Ints("perm") is { Count: > 0 } p ? p.Select(v => (int)v).ToArray() : Enumerable.Range(0, s.Length).Reverse().ToArray();
                    return One(x.DataType, perm.Select(i => s[i]).ToArray());
                }
                case "Squeeze": return One(x.DataType, SqueezeShape(n, x.Shape));
                case "Unsqueeze":
                {
                    var axes = opset >= 13 ? Values(n, 1) : n.Ints("axes")?.ToArray();
                    if (x.Shape is not { } s || axes is null) return One(x.DataType, null);
                    int rank = s.Length + axes.Length;
                    var norm = axes.Select(a => (int)Axis(a, rank)).ToHashSet();
                    var shape = new long[rank];
                    int src = 0;
                    for (int i = 0; i < rank; i++) shape[i] = norm.Contains(i) ? 1 : s[src++];
                    SetValues(n, 0, Values(n, 0));
                    return One(x.DataType, shape);
                }
                case "Concat":
                {
                    var shapes = Enumerable.Range(0, n.Inputs.Count).Select(i => Shape(n, i)).ToList();
                    if (shapes.Any(s => s is null) || shapes.Count == 0) return One(x.DataType, null);
                    int axis = (int)Axis(n.Int("axis", 0), shapes[0]!.Length);
                    var shape = (long[])shapes[0]!.Clone();
                    shape[axis] = shapes.Sum(s => s![axis]);
                    var values = Enumerable.Range(0, n.Inputs.Count).Select(i => Values(n, i)).ToList();
                    if (values.All(v => v is not null)) SetValues(n, 0, values.SelectMany(v => v!).ToArray());
                    return One(x.DataType, shape);
                }
                case "Split": return SplitInfo(n, x);
                case "Slice": return One(x.DataType, SliceShape(n, x.Shape));
                case "Gather": return One(x.DataType, GatherShape(n, x.Shape));
                case "Pad":
                {
                    var pads = opset >= 11 ? Values(n, 1) : (n.Ints("pads") ?? n.Ints("paddings"))?.ToArray();
                    if (x.Shape is not { } s || pads is null) return One(x.DataType, null);
                    var axes = opset >= 18 && Values(n, 3) is { } ax ? ax.Select(a => (int)Axis(a, s.Length)).ToArray() : Enumerable.Range(0, s.Length).ToArray();
                    var shape = (long[])s.Clone();
                    for (int i = 0; i < axes.Length; i++) shape[axes[i]] += pads[i] + pads[i + axes.Length];
                    return One(x.DataType, shape);
                }
                case "Resize" or "Upsample": return One(x.DataType, ResizeShape(n, x.Shape));
                case "Expand":
                    return One(x.DataType, Values(n, 1) is { } target ? Broadcast(x.Shape, target) : null);
                case "Tile":
                {
                    if (x.Shape is not { } s || Values(n, 1) is not { } reps || reps.Length != s.Length) return One(x.DataType, null);
                    return One(x.DataType, s.Zip(reps, (d, r) => d * r).ToArray());
                }
                case "Range":
                {
                    var v = new[] { Doubles(n, 0), Doubles(n, 1), Doubles(n, 2) };
                    if (v.Any(a => a is not [_])) return One(x.DataType, null);
                    long count = Math.Max(0, (long)Math.Ceiling((v[1]![0] - v[0]![0]) / v[2]![0]));
                    return One(x.DataType, [count]);
                }
                case "ReduceMean" or "ReduceSum" or "ReduceMax" or "ReduceMin" or "ReduceProd" or "ReduceL1" or "ReduceL2"
                    or "ReduceLogSum" or "ReduceLogSumExp" or "ReduceSumSquare":
                    return One(x.DataType, ReduceShape(n, x.Shape));
                case "ArgMax" or "ArgMin":
                {
                    if (x.Shape is not { } s) return One(OnnxDataType.Int64, null);
                    int axis = (int)Axis(n.Int("axis", 0), s.Length);
                    bool keep = n.Int("keepdims", 1) != 0;
                    var shape = s.Select((d, i) => i == axis ? (keep ? 1 : -1) : d).Where(d => d >= 0).ToArray();
                    return One(OnnxDataType.Int64, shape);
                }
                case "DepthToSpace" or "SpaceToDepth":
                {
                    if (x.Shape is not [var nb, var c, var h, var w]) return One(x.DataType, null);
                    long b = n.Int("blocksize", 1);
                    return One(x.DataType, n.OpType == "DepthToSpace" ? [nb, c / (b * b), h * b, w * b] : [nb, c * b * b, h / b, w / b]);
                }
                default:
                    g.UnknownOps.Add(n.Domain.Length > 0 ? $"{n.Domain}.{n.OpType}" : n.OpType);
                    return [];
            }
        }

        private static long Axis(long axis, long rank, bool clamp = false)
        {
            if (axis < 0) axis += rank;
            if (clamp) return Math.Clamp(axis, 0, rank);
            if (axis < 0 || axis >= rank) throw new ArgumentException($"axis {axis} out of range for rank {rank}");
            return axis;
        }

        private static long[]? Arithmetic(string op, long[] a, long[] b)
        {
            int len = Math.Max(a.Length, b.Length);
            if (a.Length != len && a.Length != 1 || b.Length != len && b.Length != 1) return null;
            var r = new long[len];
            for (int i = 0; i < len; i++)
            {
                long x = a[a.Length == 1 ? 0 : i], y = b[b.Length == 1 ? 0 : i];
                r[i] = op switch
                {
                    "Add" => x + y,
                    "Sub" => x - y,
                    "Mul" => x * y,
                    "Div" when y != 0 => x / y,
                    _ => 0,
                };
                if (op is not ("Add" or "Sub" or "Mul" or "Div") || op == "Div" && y == 0) return null;
            }
            return r;
        }

        internal static long[]? Broadcast(long[]? a, long[]? b)
        {
            if (a is null || b is null) return null;
            int rank = Math.Max(a.Length, b.Length);
            var r = new long[rank];
            for (int i = 0; i < rank; i++)
            {
                long da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
                long db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
                if (da != db && da != 1 && db != 1) throw new ArgumentException($"shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast");
                r[i] = da == 1 ? db : da;
            }
            return r;
        }

        private TensorInfo[] ConstantInfo(OnnxNode n)
        {
            foreach (var a in n.Attributes)
            {
                switch (a.Name)
                {
                    case "value" when a.T is { } t:
                        if (IsSmallInteger(t) && t.ToInt64Array() is { } v) SetValues(n, 0, v);
                        if (n.Outputs.Count > 0) g.Initializers.TryAdd(n.Outputs[0], t with { Name = n.Outputs[0] });
                        return One(t.DataType, t.Dims.ToArray());
                    case "value_float": return One(OnnxDataType.Float, []);
                    case "value_floats": return One(OnnxDataType.Float, [a.Floats.Count]);
                    case "value_int":
                        SetValues(n, 0, [a.I]);
                        return One(OnnxDataType.Int64, []);
                    case "value_ints":
                        SetValues(n, 0, a.Ints.ToArray());
                        return One(OnnxDataType.Int64, [a.Ints.Count]);
                    case "value_string": return One(OnnxDataType.String, []);
                    case "value_strings": return One(OnnxDataType.String, [a.Strings.Count]);
                }
            }
            return [];
        }

        /// <summary>Kernel spatial dims: the attribute when present, else the weight's dims after [M, C/g].</summary>
        internal long[]? Kernel(OnnxNode n, int weightIndex) =>
            n.Ints("kernel_shape") is { Count: > 0 } k ? k.ToArray() : Shape(n, weightIndex) is { Length: > 2 } w ? w[2..] : null;

        private long[]? ConvShape(OnnxNode n, int xi, int wi)
        {
            if (Shape(n, xi) is not { Length: >= 3 } xs || Shape(n, wi) is not { } ws || Kernel(n, wi) is not { } k) return null;
            var spatial = Spatial(n, xs[2..], k, ceil: false);
            return spatial is null ? null : [xs[0], ws[0], .. spatial];
        }

        private long[]? ConvTransposeShape(OnnxNode n)
        {
            if (Shape(n, 0) is not { Length: >= 3 } xs || Shape(n, 1) is not { } ws || Kernel(n, 1) is not { } k) return null;
            long group = n.Int("group", 1);
            int dims = xs.Length - 2;
            if (n.Ints("output_shape") is { Count: > 0 } os)
                return [xs[0], ws[1] * group, .. os.TakeLast(dims)];
            var strides = Ints(n, "strides", dims, 1);
            var dil = Ints(n, "dilations", dims, 1);
            var outPad = Ints(n, "output_padding", dims, 0);
            var pads = Ints(n, "pads", 2 * dims, 0);
            string autoPad = n.String("auto_pad", "NOTSET");
            var result = new long[dims];
            for (int i = 0; i < dims; i++)
                result[i] = autoPad is "SAME_UPPER" or "SAME_LOWER"
                    ? xs[2 + i] * strides[i]
                    : strides[i] * (xs[2 + i] - 1) + outPad[i] + (k[i] - 1) * dil[i] + 1 - pads[i] - pads[i + dims];
            return [xs[0], ws[1] * group, .. result];
        }

        private long[]? PoolShape(OnnxNode n)
        {
            if (Shape(n, 0) is not { Length: >= 3 } xs || n.Ints("kernel_shape") is not { Count: > 0 } k) return null;
            var spatial = Spatial(n, xs[2..], k.ToArray(), ceil: n.Int("ceil_mode", 0) != 0);
            return spatial is null ? null : [xs[0], xs[1], .. spatial];
        }

        private static long[] Ints(OnnxNode n, string name, int count, long fallback) =>
            n.Ints(name) is { Count: > 0 } v && v.Count == count ? v.ToArray() : Enumerable.Repeat(fallback, count).ToArray();

        /// <summary>Output spatial size of a sliding window (Conv, pools): ONNX's formula for each auto_pad mode.</summary>
        private static long[]? Spatial(OnnxNode n, long[] input, long[] kernel, bool ceil)
        {
            int dims = input.Length;
            if (kernel.Length != dims) return null;
            var strides = Ints(n, "strides", dims, 1);
            var dil = Ints(n, "dilations", dims, 1);
            var pads = Ints(n, "pads", 2 * dims, 0);
            string autoPad = n.String("auto_pad", "NOTSET");
            var result = new long[dims];
            for (int i = 0; i < dims; i++)
            {
                long effective = (kernel[i] - 1) * dil[i] + 1;
                switch (autoPad)
                {
                    case "SAME_UPPER" or "SAME_LOWER":
                        result[i] = (input[i] + strides[i] - 1) / strides[i];
                        break;
                    case "VALID":
                        result[i] = (input[i] - effective) / strides[i] + 1;
                        break;
                    default:
                        long span = input[i] + pads[i] + pads[i + dims] - effective;
                        long o = ceil ? (span + strides[i] - 1) / strides[i] + 1 : span / strides[i] + 1;
                        // ceil_mode: a last window that starts in the end padding is dropped (PyTorch and ONNX reference agree).
                        if (ceil && (o - 1) * strides[i] >= input[i] + pads[i]) o--;
                        result[i] = o;
                        break;
                }
                if (result[i] <= 0) throw new ArgumentException($"window {kernel[i]} does not fit input {input[i]}");
            }
            return result;
        }

        private long[]? GemmShape(OnnxNode n)
        {
            if (Shape(n, 0) is not [var a0, var a1] || Shape(n, 1) is not [var b0, var b1]) return null;
            long m = n.Int("transA", 0) != 0 ? a1 : a0;
            long cols = n.Int("transB", 0) != 0 ? b0 : b1;
            return [m, cols];
        }

        internal static long[]? MatMulShape(long[]? a, long[]? b)
        {
            if (a is null || b is null || a.Length == 0 || b.Length == 0) return null;
            bool aVec = a.Length == 1, bVec = b.Length == 1;
            var a2 = aVec ? [1, a[0]] : a;
            var b2 = bVec ? [b[0], 1] : b;
            var batch = Broadcast(a2[..^2], b2[..^2])!;
            var shape = new List<long>(batch) { a2[^2], b2[^1] };
            if (aVec) shape.RemoveAt(shape.Count - 2);
            if (bVec) shape.RemoveAt(shape.Count - 1);
            return shape.ToArray();
        }

        private long[]? ReshapeShape(OnnxNode n, long[]? input)
        {
            var target = opset >= 5 ? Values(n, 1) : n.Ints("shape")?.ToArray();
            if (target is null) return null;
            bool allowZero = n.Int("allowzero", 0) != 0;
            var shape = (long[])target.Clone();
            int unknown = -1;
            for (int i = 0; i < shape.Length; i++)
            {
                if (shape[i] == 0 && !allowZero)
                {
                    if (input is null || i >= input.Length) return null;
                    shape[i] = input[i];
                }
                else if (shape[i] == -1) unknown = i;
            }
            if (unknown >= 0)
            {
                if (input is null) return null;
                long total = input.Aggregate(1L, (p, d) => p * d);
                long known = shape.Where((d, i) => i != unknown).Aggregate(1L, (p, d) => p * d);
                if (known == 0 || total % known != 0) throw new ArgumentException($"cannot reshape {total} elements to [{string.Join(",", target)}]");
                shape[unknown] = total / known;
            }
            SetValues(n, 0, Values(n, 0));
            return shape;
        }

        private long[]? SqueezeShape(OnnxNode n, long[]? s)
        {
            if (s is null) return null;
            var axes = opset >= 13 ? Values(n, 1) : n.Ints("axes")?.ToArray();
            if (opset >= 13 && n.Input(1) is not null && axes is null) return null;
            var set = axes?.Select(a => (int)Axis(a, s.Length)).ToHashSet();
            var shape = s.Where((d, i) => set is null ? d != 1 : !set.Contains(i)).ToArray();
            SetValues(n, 0, Values(n, 0));
            return shape;
        }

        private TensorInfo[] SplitInfo(OnnxNode n, TensorInfo x)
        {
            int outputs = n.Outputs.Count;
            if (x.Shape is not { } s) return Enumerable.Repeat(new TensorInfo(x.DataType, null), outputs).ToArray();
            int axis = (int)Axis(n.Int("axis", 0), s.Length);
            var split = opset >= 13 ? Values(n, 1) : n.Ints("split")?.ToArray();
            if (split is null)
            {
                long parts = n.Int("num_outputs", outputs);
                long chunk = (s[axis] + parts - 1) / parts;
                split = Enumerable.Range(0, outputs).Select(i => Math.Min(chunk, s[axis] - i * chunk)).ToArray();
            }
            return split.Select(len =>
            {
                var shape = (long[])s.Clone();
                shape[axis] = len;
                return new TensorInfo(x.DataType, shape);
            }).ToArray();
        }

        private long[]? SliceShape(OnnxNode n, long[]? s)
        {
            long[]? starts, ends, axes, steps;
            if (opset >= 10)
            {
                starts = Values(n, 1);
                ends = Values(n, 2);
                axes = n.Input(3) is null ? null : Values(n, 3);
                steps = n.Input(4) is null ? null : Values(n, 4);
                if (n.Input(3) is not null && axes is null || n.Input(4) is not null && steps is null) return null;
            }
            else
            {
                starts = n.Ints("starts")?.ToArray();
                ends = n.Ints("ends")?.ToArray();
                axes = n.Ints("axes")?.ToArray();
                steps = null;
            }
            if (s is null || starts is null || ends is null) return null;
            axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
            var shape = (long[])s.Clone();
            var ranges = new (long Start, long Step, long Length)[s.Length];
            for (int i = 0; i < s.Length; i++) ranges[i] = (0, 1, s[i]);
            for (int i = 0; i < starts.Length; i++)
            {
                int axis = (int)Axis(axes[i], s.Length);
                long dim = s[axis], step = steps[i];
                if (step == 0) throw new ArgumentException("Slice step 0");
                long start = starts[i] < 0 ? starts[i] + dim : starts[i];
                long end = ends[i] < 0 ? ends[i] + dim : ends[i];
                long length;
                if (step > 0)
                {
                    start = Math.Clamp(start, 0, dim);
                    end = Math.Clamp(end, 0, dim);
                    length = Math.Max(0, (end - start + step - 1) / step);
                }
                else
                {
                    start = Math.Clamp(start, 0, dim - 1);
                    end = Math.Clamp(end, -1, dim - 1);
                    length = Math.Max(0, (start - end + (-step) - 1) / -step);
                }
                shape[axis] = length;
                ranges[axis] = (start, step, length);
            }
            if (s.Length == 1 && Values(n, 0) is { } v)
            {
                var (start, step, length) = ranges[0];
                SetValues(n, 0, Enumerable.Range(0, (int)length).Select(i => v[start + i * step]).ToArray());
            }
            return shape;
        }

        private long[]? GatherShape(OnnxNode n, long[]? data)
        {
            var indices = Shape(n, 1);
            if (data is null || indices is null) return null;
            int axis = (int)Axis(n.Int("axis", 0), data.Length);
            var shape = data[..axis].Concat(indices).Concat(data[(axis + 1)..]).ToArray();
            if (data.Length == 1 && Values(n, 0) is { } v && Values(n, 1) is { } idx)
                SetValues(n, 0, idx.Select(i => v[i < 0 ? i + v.Length : i]).ToArray());
            return shape;
        }

        private long[]? ResizeShape(OnnxNode n, long[]? s)
        {
            if (s is null) return null;
            double[]? scales;
            if (n.OpType == "Upsample") scales = opset >= 9 ? Doubles(n, 1) : n.Attribute("scales")?.Floats.Select(f => (double)f).ToArray();
            else if (opset < 11) scales = Doubles(n, 1);
            else
            {
                if (n.Input(3) is not null && Values(n, 3) is { } sizes && sizes.Length == s.Length) return sizes;
                scales = Doubles(n, 2);
            }
            if (scales is null || scales.Length != s.Length) return null;
            return s.Select((d, i) => (long)Math.Floor(d * scales[i])).ToArray();
        }

        private long[]? ReduceShape(OnnxNode n, long[]? s)
        {
            if (s is null) return null;
            bool axesAsInput = opset >= 18 || n.OpType == "ReduceSum" && opset >= 13;
            var axes = axesAsInput ? (n.Input(1) is null ? null : Values(n, 1)) : n.Ints("axes")?.ToArray();
            if (axesAsInput && n.Input(1) is not null && axes is null) return null;
            bool keep = n.Int("keepdims", 1) != 0;
            if (axes is null or { Length: 0 })
            {
                if (n.Int("noop_with_empty_axes", 0) != 0) return s;
                return keep ? s.Select(_ => 1L).ToArray() : [];
            }
            var set = axes.Select(a => (int)Axis(a, s.Length)).ToHashSet();
            return keep ? s.Select((d, i) => set.Contains(i) ? 1 : d).ToArray() : s.Where((d, i) => !set.Contains(i)).ToArray();
        }
    }
}
