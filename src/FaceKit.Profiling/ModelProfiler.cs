using FaceKit.Profiling.Analysis;
using FaceKit.Onnx;
using FaceKit.Profiling.Targets;

namespace FaceKit.Profiling;

/// <summary>
/// Profiles an ONNX model: shapes for batch 1, MACC and parameters per node, weight bytes per precision,
/// activation peak under a real schedule, flash and RAM estimates, and — given a target profile — which nodes
/// the accelerator runs. Pure analysis: no ONNX Runtime, no I/O beyond reading the file.
/// </summary>
public static class ModelProfiler
{
    public static ModelProfile Profile(string path, ProfileOptions? options = null)
    {
        options ??= new ProfileOptions();
        var model = OnnxModel.Load(path);
        return Profile(model, options with { Label = options.Label ?? Path.GetFileName(path) });
    }

    public static ModelProfile Profile(OnnxModel model, ProfileOptions? options = null)
    {
        options ??= new ProfileOptions();
        var g = ShapeInference.Run(model, options.InputShapes);
        var warnings = new List<string>(g.Warnings);
        var target = options.Target;

        // Nodes whose outputs are all constants were folded at export time (shape arithmetic, DQ of weights).
        var schedule = g.Order.Where(n => n.Outputs.Any(o => o.Length > 0 && !g.Constants.Contains(o))).ToList();
        var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in g.Order)
            foreach (var o in n.Outputs)
                if (o.Length > 0) producer[o] = n;
        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var n in schedule)
            foreach (var i in n.Inputs.Where(i => i.Length > 0).Distinct())
                (consumers.TryGetValue(i, out var list) ? list : consumers[i] = []).Add(n);

        var weights = new WeightCollector(g, producer);
        var perNode = schedule.Select(weights.Collect).ToList();
        bool quantized = weights.Quantized || schedule.Any(n => n.OpType is "QLinearConv" or "QLinearMatMul" or "ConvInteger" or "MatMulInteger");

        double? activationBytes = options.ActivationBytes ?? target?.ActivationBytes;
        var plan = MemoryPlanner.Plan(schedule, g, activationBytes);

        var layers = new List<LayerProfile>(schedule.Count);
        var context = new NodeContext(g, producer, consumers, options.AssumeInt8);
        var fallbacks = new List<FallbackNode>();
        for (int i = 0; i < schedule.Count; i++)
        {
            var n = schedule[i];
            long? macc = OpCost.Macc(n, g);
            var output = g.Info(n.Outputs.FirstOrDefault(o => o.Length > 0));
            bool counted = IsCounted(n);
            string? placement = null, rule = null;
            if (target is not null && counted)
            {
                var verdict = TargetEvaluator.Place(n, target, context);
                placement = verdict is null ? "accelerator" : "host";
                if (verdict is { } v)
                {
                    rule = v.Rule;
                    fallbacks.Add(new FallbackNode(i, NodeName(n, i), n.OpType, v.Rule, v.Reason, v.Source));
                }
            }
            var window = OpCost.Window(n, g);
            layers.Add(new LayerProfile
            {
                Index = i,
                Name = NodeName(n, i),
                OpType = n.OpType,
                OutputShape = output.ShapeText,
                Macc = macc ?? 0,
                MaccKnown = macc is not null,
                Params = perNode[i].Params,
                WeightBytes = perNode[i].StoredBytes,
                OutputBytes = output.Bytes(activationBytes) ?? 0,
                LiveBytes = plan.LiveBytes[i],
                InPlace = plan.InPlace[i],
                Counted = counted,
                Kernel = window is null ? null : string.Join("×", window.Kernel) + (window.Strides.Any(s => s != 1) ? "/s" + string.Join("×", window.Strides) : "")
                                                 + (window.Depthwise ? " dw" : window.Group > 1 ? $" g{window.Group}" : ""),
                Placement = placement,
                FallbackRule = rule,
            });
        }

        foreach (var l in layers.Where(l => !l.MaccKnown && l.Counted))
            warnings.Add($"{l.OpType} '{l.Name}': MACC unknown (shape not inferred or no cost rule); counted as 0");

        long paramsTotal = perNode.Sum(p => p.Params);
        var weightBytes = weights.Totals(quantized);
        string precision = target?.WeightPrecision ?? "stored";
        long flashWeights = precision switch
        {
            "fp32" => weightBytes.Fp32,
            "fp16" => weightBytes.Fp16,
            "int8" => weightBytes.Int8,
            _ => weightBytes.Stored,
        };
        long perOp = target?.FlashBytesPerOp ?? options.FlashBytesPerOp;
        int countedNodes = layers.Count(l => l.Counted);
        var inputs = g.Inputs.Select(name => Summary(g, name, activationBytes)).ToList();
        var outputs = g.Outputs.Select(name => Summary(g, name, activationBytes)).ToList();
        long inputBytes = inputs.Sum(t => t.Bytes ?? 0), outputBytes = outputs.Sum(t => t.Bytes ?? 0);

        var memory = new MemoryEstimate
        {
            ActivationPeakBytes = plan.PeakBytes,
            PeakLayer = plan.PeakStep >= 0 ? layers[plan.PeakStep].Name : null,
            PeakLayerIndex = plan.PeakStep,
            ActivationBytes = activationBytes,
            InputBytes = inputBytes,
            OutputBytes = outputBytes,
            RamBytes = plan.PeakBytes + inputBytes + outputBytes,
            WeightPrecision = precision,
            FlashWeightBytes = flashWeights,
            FlashBytesPerOp = perOp,
            FlashOverheadBytes = perOp * countedNodes,
            FlashBytes = flashWeights + perOp * countedNodes,
        };

        return new ModelProfile
        {
            Model = options.Label ?? (model.Graph.Name.Length > 0 ? model.Graph.Name : "model"),
            Producer = $"{model.ProducerName} {model.ProducerVersion}".Trim(),
            Opset = model.DefaultOpset,
            Inputs = inputs,
            Outputs = outputs,
            Quantized = quantized,
            Macc = layers.Sum(l => l.Macc),
            Params = paramsTotal,
            Weights = weightBytes,
            Memory = memory,
            Nodes = schedule.Count,
            CountedNodes = countedNodes,
            Layers = layers,
            UnknownOps = g.UnknownOps.ToList(),
            Warnings = warnings,
            Target = target is null ? null : Report(target, layers, fallbacks, options.AssumeInt8),
        };
    }

    /// <summary>Identity, Dropout and Q/DQ disappear in a deployed graph (Q/DQ fold into their quantised neighbours).</summary>
    internal static bool IsCounted(OnnxNode n) => n.OpType is not ("Identity" or "Dropout" or "QuantizeLinear" or "DequantizeLinear");

    private static string NodeName(OnnxNode n, int index) => n.Name.Length > 0 ? n.Name : $"{n.OpType}_{index}";

    private static TensorSummary Summary(InferredGraph g, string name, double? elementBytes)
    {
        var info = g.Info(name);
        return new TensorSummary(name, info.DataType.ToString().ToLowerInvariant(), info.Shape, info.Bytes(elementBytes));
    }

    private static TargetReport Report(TargetProfile target, List<LayerProfile> layers, List<FallbackNode> fallbacks, bool assumeInt8)
    {
        var counted = layers.Where(l => l.Counted).ToList();
        int accelerated = counted.Count(l => l.Placement == "accelerator");
        long macc = counted.Sum(l => l.Macc), acceleratedMacc = counted.Where(l => l.Placement == "accelerator").Sum(l => l.Macc);
        int transitions = 0;
        for (int i = 1; i < counted.Count; i++)
            if (counted[i].Placement != counted[i - 1].Placement) transitions++;
        return new TargetReport
        {
            Name = target.Name,
            Title = target.Title,
            Accelerator = target.Accelerator,
            Host = target.Host,
            Nodes = counted.Count,
            AcceleratedNodes = accelerated,
            NodeRate = counted.Count == 0 ? 0 : (double)accelerated / counted.Count,
            Macc = macc,
            AcceleratedMacc = acceleratedMacc,
            MaccRate = macc == 0 ? (counted.Count == 0 ? 0 : (double)accelerated / counted.Count) : (double)acceleratedMacc / macc,
            Transitions = transitions,
            AssumedInt8 = assumeInt8,
            Fallbacks = fallbacks,
        };
    }
}

/// <summary>The graph facts placement rules look at.</summary>
internal sealed record NodeContext(
    InferredGraph Graph, Dictionary<string, OnnxNode> Producer, Dictionary<string, List<OnnxNode>> Consumers, bool AssumeInt8)
{
    public IReadOnlyList<OnnxNode> ConsumersOf(string name) => Consumers.TryGetValue(name, out var list) ? list : [];
}

internal enum ParamRole { Weight, Bias, QuantParam }

/// <summary>
/// Attributes initializers to the scheduled node that reads them, following constant chains (DequantizeLinear
/// of int8 weights, Transpose or Reshape of a constant) back to the stored tensors. Each initializer counts once.
/// </summary>
internal sealed class WeightCollector(InferredGraph g, Dictionary<string, OnnxNode> producer)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<(OnnxTensor Tensor, ParamRole Role)> _all = [];

    public bool Quantized { get; private set; }

    public (long Params, long StoredBytes) Collect(OnnxNode node)
    {
        long parameters = 0, bytes = 0;
        for (int k = 0; k < node.Inputs.Count; k++)
        {
            var name = node.Input(k);
            if (name is null || !g.Constants.Contains(name) || ShapeLike(node.OpType, k)) continue;
            var role = QuantParamInput(node.OpType, k) ? ParamRole.QuantParam : IsBias(node.OpType, k) ? ParamRole.Bias : ParamRole.Weight;
            Walk(name, role, 0, ref parameters, ref bytes);
        }
        return (parameters, bytes);
    }

    private void Walk(string name, ParamRole role, int depth, ref long parameters, ref long bytes)
    {
        if (depth > 16) return;
        if (g.Initializers.TryGetValue(name, out var t))
        {
            if (!_seen.Add(name)) return;
            if (t.DataType is OnnxDataType.String or OnnxDataType.Bool) return;
            _all.Add((t, role));
            bytes += t.ByteCount;
            if (role != ParamRole.QuantParam)
            {
                parameters += t.ElementCount;
                if (t.DataType.IsLowBitInteger() && role == ParamRole.Weight) Quantized = true;
            }
            return;
        }
        if (!producer.TryGetValue(name, out var p)) return;
        for (int k = 0; k < p.Inputs.Count; k++)
        {
            var input = p.Input(k);
            if (input is null || ShapeLike(p.OpType, k)) continue;
            var next = QuantParamInput(p.OpType, k) ? ParamRole.QuantParam : role;
            Walk(input, next, depth + 1, ref parameters, ref bytes);
        }
    }

    public WeightBytes Totals(bool quantized)
    {
        long weights = _all.Where(p => p.Role == ParamRole.Weight).Sum(p => p.Tensor.ElementCount);
        long biases = _all.Where(p => p.Role == ParamRole.Bias).Sum(p => p.Tensor.ElementCount);
        long stored = _all.Sum(p => p.Tensor.ByteCount);
        long parameters = weights + biases;
        long int8 = quantized ? stored : weights + 4 * biases;
        return new WeightBytes(parameters * 4, parameters * 2, int8, quantized, stored);
    }

    private static bool IsBias(string op, int k) => k == 2 && op is "Conv" or "ConvTranspose" or "Gemm" || op == "QLinearConv" && k == 8;

    internal static bool QuantParamInput(string op, int k) => op switch
    {
        "QuantizeLinear" or "DequantizeLinear" => k is 1 or 2,
        "QLinearConv" or "QLinearMatMul" => k is 1 or 2 or 4 or 5 or 6 or 7,
        "ConvInteger" or "MatMulInteger" => k is 2 or 3,
        _ => false,
    };

    /// <summary>Inputs that carry shapes, axes, indices or bounds: constants, but not parameters of the model.</summary>
    internal static bool ShapeLike(string op, int k) => op switch
    {
        "Reshape" or "Expand" or "Tile" or "Squeeze" or "Unsqueeze" or "Split" or "TopK" or "Upsample" or "OneHot" => k >= 1,
        "Slice" or "Resize" or "Pad" or "Clip" or "Range" => k >= 1 || op == "Range",
        "Gather" or "GatherElements" or "GatherND" => k == 1,
        "ConstantOfShape" => true,
        _ when op.StartsWith("Reduce", StringComparison.Ordinal) => k >= 1,
        _ => false,
    };
}
