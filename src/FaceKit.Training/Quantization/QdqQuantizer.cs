using System.Globalization;
using System.Runtime.InteropServices;
using FaceKit.Onnx;

namespace FaceKit.Training.Quantization;

/// <summary>One op the quantiser turns into its QDQ form: which input is the activation, which the weight (and along which axis its output channels run), which the bias.</summary>
public sealed record QuantTarget(OnnxNode Node, string Input, string Weight, int Axis, string? Bias);

/// <summary>The ops to quantise and the activation tensors whose ranges calibration has to measure (in graph order).</summary>
public sealed record QuantizationPlan(IReadOnlyList<QuantTarget> Targets, IReadOnlyList<string> Tensors, IReadOnlyList<SkippedNode> Skipped);

/// <summary>
/// Static post-training quantisation into the QDQ format (the one ONNX Runtime, TensorRT and ST Edge AI read):
/// <list type="bullet">
/// <item>each Conv / Gemm / MatMul weight becomes an int8 initializer, symmetric per output channel
/// (scale_c = max|w_c| / 127, zero point 0; 63 where <see cref="ReducedRange"/> asks), read through DequantizeLinear with <c>axis</c>;</item>
/// <item>its bias becomes int32 with scale_c = input_scale · weight_scale_c (zero point 0), so an integer kernel
/// adds it to the int32 accumulator unchanged, through a DequantizeLinear with axis 0;</item>
/// <item>every activation those ops read or write gets one QuantizeLinear → DequantizeLinear pair right after it is
/// produced, per-tensor, shared by all its consumers: ORT fuses DQ → Conv → Q into QLinearConv, DQ, DQ → Add → Q into
/// QLinearAdd, and runs whatever sits between a DQ and a Q (PRelu, Relu, Mul …) in fp32 on the dequantised values.</item>
/// </list>
/// Ops that are not quantised stay fp32. The model is moved to opset 13 when older (see <see cref="OpsetUpgrade"/>).
/// </summary>
public static class QdqQuantizer
{
    public const string MetadataKey = "facekit.quantization";

    public static QuantizationPlan Plan(OnnxModel model, QuantizationOptions? options = null)
    {
        options ??= new QuantizationOptions();
        var g = model.Graph;
        var initializers = g.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var constants = new HashSet<string>(initializers.Keys, StringComparer.Ordinal);
        foreach (var n in g.Nodes.Where(n => n.OpType == "Constant"))
            foreach (var o in n.Outputs) constants.Add(o);
        var ops = new HashSet<string>(options.OpTypes, StringComparer.Ordinal);

        var targets = new List<QuantTarget>();
        var skipped = new List<SkippedNode>();
        var tensors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Need(string t)
        {
            if (seen.Add(t)) tensors.Add(t);
        }

        for (int i = 0; i < g.Nodes.Count; i++)
        {
            var node = g.Nodes[i];
            if (!ops.Contains(node.OpType) || node.Domain is not ("" or "ai.onnx")) continue;
            QuantTarget? target = null;
            string? why = options.ExcludedNodes.Contains(node.Name) ? "excluded by the options" : Target(node, initializers, constants, out target);
            if (why is not null)
            {
                skipped.Add(new SkippedNode(node.Name.Length > 0 ? node.Name : $"{node.OpType}_{i}", node.OpType, why));
                continue;
            }
            targets.Add(target!);
            Need(target!.Input);
            Need(node.Outputs[0]);
        }
        return new QuantizationPlan(targets, tensors, skipped);
    }

    /// <summary>Null and the target when the node can be quantised; else why not.</summary>
    private static string? Target(OnnxNode node, Dictionary<string, OnnxTensor> initializers, HashSet<string> constants, out QuantTarget? target)
    {
        target = null;
        var x = node.Input(0);
        var w = node.Input(1);
        if (x is null || w is null || node.Outputs.Count == 0 || node.Outputs[0].Length == 0) return "missing input or output";
        if (constants.Contains(x)) return "its data input is a constant";
        if (!initializers.TryGetValue(w, out var weight)) return "its weight is computed, not an initializer";
        if (weight.DataType != OnnxDataType.Float) return $"its weight is {weight.DataType}, not float";
        if (weight.External) return "its weight is stored in an external file";
        int axis;
        switch (node.OpType)
        {
            case "Conv":
                if (weight.Dims.Count < 3) return "its weight is not a convolution kernel";
                axis = 0;
                break;
            case "Gemm":
                if (weight.Dims.Count != 2) return "its weight is not 2-D";
                axis = node.Int("transB", 0) == 1 ? 0 : 1;
                break;
            case "MatMul":
                if (weight.Dims.Count != 2) return "its weight is not a 2-D constant (batched MatMul)";
                axis = 1;
                break;
            default:
                return "no QDQ rule for this op";
        }
        long channels = weight.Dims[axis];
        string? bias = null;
        if (node.OpType is "Conv" or "Gemm" && node.Input(2) is { } b
            && initializers.TryGetValue(b, out var bt) && bt.DataType == OnnxDataType.Float && !bt.External
            && bt.Dims.Count == 1 && bt.Dims[0] == channels)
            bias = b;
        target = new QuantTarget(node, x, w, axis, bias);
        return null;
    }

    /// <summary>
    /// The QDQ model: <paramref name="ranges"/> must hold every tensor of <see cref="Plan"/> (measured on the fp32 model).
    /// </summary>
    public static (OnnxModel Model, QuantizationSummary Summary) Quantize(OnnxModel model, IReadOnlyDictionary<string, TensorRange> ranges,
        QuantizationOptions? options = null)
    {
        options ??= new QuantizationOptions();
        long opsetBefore = model.DefaultOpset;
        model = OpsetUpgrade.To13(model);
        var plan = Plan(model, options);
        var g = model.Graph;
        var names = new UniqueNames(g);
        var initializers = g.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var added = new List<OnnxTensor>();
        var front = new List<OnnxNode>();

        // Activations: one scale and zero point per tensor.
        var activation = new Dictionary<string, (string Scale, string ZeroPoint, float ScaleValue)>(StringComparer.Ordinal);
        foreach (var t in plan.Tensors)
        {
            if (!ranges.TryGetValue(t, out var range))
                throw new InvalidOperationException($"no calibrated range for tensor '{t}'");
            var (scale, zeroPoint) = ActivationParameters(range, options.Activations);
            string s = names.Next(t + "_scale"), z = names.Next(t + "_zero_point");
            added.Add(OnnxTensor.FromFloats(s, [], [scale]));
            added.Add(options.Activations == ActivationType.UInt8
                ? new OnnxTensor { Name = z, DataType = OnnxDataType.UInt8, Dims = [], RawData = new[] { (byte)zeroPoint } }
                : new OnnxTensor { Name = z, DataType = OnnxDataType.Int8, Dims = [], RawData = new[] { unchecked((byte)(sbyte)zeroPoint) } });
            activation[t] = (s, z, scale);
        }

        var graphInputs = g.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in g.Nodes)
            foreach (var o in n.Outputs) producers[o] = n;
        bool ReadsImage(string tensor)
        {
            // Through the layout-only ops an NHWC model starts with, back to the graph input.
            for (int hop = 0; hop < 8; hop++)
            {
                if (graphInputs.Contains(tensor)) return true;
                if (!producers.TryGetValue(tensor, out var p) || p.OpType is not ("Identity" or "Transpose" or "Reshape" or "Flatten" or "Squeeze" or "Unsqueeze")) return false;
                tensor = p.Inputs[0];
            }
            return false;
        }

        // Weights and biases, one DequantizeLinear each; each target's own inputs are pointed at them.
        var weightInputs = new Dictionary<OnnxNode, (string Weight, string? Bias)>(ReferenceEqualityComparer.Instance);
        var slopes = new Dictionary<OnnxNode, string>(ReferenceEqualityComparer.Instance);
        var doneWeights = new Dictionary<string, (float[] Scales, string Output)>(StringComparer.Ordinal);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        long floatBytes = 0, quantizedBytes = 0;
        foreach (var target in plan.Targets)
        {
            var w = initializers[target.Weight];
            var values = Floats(w);
            float inputScale = activation[target.Input].ScaleValue;
            float[]? biasValues = target.Bias is null ? null : Floats(initializers[target.Bias]);
            int qmax = options.ReducedRange == ReducedRange.All || (options.ReducedRange == ReducedRange.Input && ReadsImage(target.Input)) ? 63 : 127;
            var scales = WeightScales(values, w.Dims, target.Axis, biasValues, inputScale, qmax);

            if (!doneWeights.TryGetValue(target.Weight, out var dq) || !dq.Scales.AsSpan().SequenceEqual(scales))
            {
                string q = names.Next(target.Weight + "_quantized"), s = names.Next(target.Weight + "_scale"), z = names.Next(target.Weight + "_zero_point");
                var quantized = QuantizeWeights(values, w.Dims, target.Axis, scales);
                added.Add(new OnnxTensor { Name = q, DataType = OnnxDataType.Int8, Dims = w.Dims, RawData = MemoryMarshal.AsBytes(quantized.AsSpan()).ToArray() });
                added.Add(OnnxTensor.FromFloats(s, [scales.Length], scales));
                added.Add(new OnnxTensor { Name = z, DataType = OnnxDataType.Int8, Dims = [scales.Length], RawData = new byte[scales.Length] });
                var output = names.Next(target.Weight + "_dequantized");
                front.Add(new OnnxNode
                {
                    Name = names.Next(target.Weight + "_DequantizeLinear"), OpType = "DequantizeLinear", Inputs = [q, s, z], Outputs = [output],
                    Attributes = [OnnxAttribute.Of("axis", (long)target.Axis)],
                });
                if (!doneWeights.ContainsKey(target.Weight))
                {
                    floatBytes += 4 * w.ElementCount;
                    quantizedBytes += w.ElementCount + 5L * scales.Length;
                }
                dq = (scales, output);
                doneWeights[target.Weight] = dq;
                replaced.Add(target.Weight);
            }

            string? biasOutput = null;
            if (target.Bias is { } bias)
            {
                var biasScales = new float[scales.Length];
                var quantizedBias = new int[scales.Length];
                for (int c = 0; c < scales.Length; c++)
                {
                    biasScales[c] = inputScale * scales[c];
                    quantizedBias[c] = (int)Math.Clamp(Math.Round((double)biasValues![c] / biasScales[c], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
                }
                string q = names.Next(bias + "_quantized"), s = names.Next(bias + "_scale");
                added.Add(new OnnxTensor { Name = q, DataType = OnnxDataType.Int32, Dims = [scales.Length], RawData = MemoryMarshal.AsBytes(quantizedBias.AsSpan()).ToArray() });
                added.Add(OnnxTensor.FromFloats(s, [scales.Length], biasScales));
                biasOutput = names.Next(bias + "_dequantized");
                front.Add(new OnnxNode
                {
                    Name = names.Next(bias + "_DequantizeLinear"), OpType = "DequantizeLinear", Inputs = [q, s], Outputs = [biasOutput],
                    Attributes = [OnnxAttribute.Of("axis", 0L)],
                });
                floatBytes += 4L * scales.Length;
                quantizedBytes += 8L * scales.Length;
                replaced.Add(bias);
            }
            weightInputs[target.Node] = (dq.Output, biasOutput);
        }

        // A PRelu between two quantised tensors gets its slope as int8 too (per-tensor, symmetric): with every input
        // dequantised and its output quantised it is an int8 node, which an int8-only NPU runs instead of handing
        // it back to the CPU between every pair of convolutions.
        var tensorSet = plan.Tensors.ToHashSet(StringComparer.Ordinal);
        foreach (var node in g.Nodes)
        {
            if (node.OpType != "PRelu" || node.Input(0) is not { } x || !tensorSet.Contains(x) || !tensorSet.Contains(node.Outputs[0])) continue;
            if (node.Input(1) is not { } slopeName || !initializers.TryGetValue(slopeName, out var slope) || slope.DataType != OnnxDataType.Float || slope.External) continue;
            var values = Floats(slope);
            float max = 0;
            foreach (var v in values) max = Math.Max(max, Math.Abs(v));
            float[] scale = [max > 0 ? max / 127f : 1f];
            var quantized = QuantizeWeights(values, [1, values.Length], 0, scale);
            string q = names.Next(slopeName + "_quantized"), sn = names.Next(slopeName + "_scale"), z = names.Next(slopeName + "_zero_point");
            added.Add(new OnnxTensor { Name = q, DataType = OnnxDataType.Int8, Dims = slope.Dims, RawData = MemoryMarshal.AsBytes(quantized.AsSpan()).ToArray() });
            added.Add(OnnxTensor.FromFloats(sn, [], scale));
            added.Add(new OnnxTensor { Name = z, DataType = OnnxDataType.Int8, Dims = [], RawData = new byte[1] });
            var output = names.Next(slopeName + "_dequantized");
            front.Add(new OnnxNode { Name = names.Next(slopeName + "_DequantizeLinear"), OpType = "DequantizeLinear", Inputs = [q, sn, z], Outputs = [output] });
            slopes[node] = output;
            replaced.Add(slopeName);
            floatBytes += 4 * slope.ElementCount;
            quantizedBytes += slope.ElementCount + 5;
        }

        // Activation Q/DQ pairs. A graph output keeps its name on the DequantizeLinear, the producer writing a new name.
        var graphOutputs = g.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var rename = new Dictionary<string, string>(StringComparer.Ordinal);
        var producerRename = new Dictionary<string, string>(StringComparer.Ordinal);
        var pairs = new Dictionary<string, OnnxNode[]>(StringComparer.Ordinal);
        foreach (var t in plan.Tensors)
        {
            var (s, z, _) = activation[t];
            string source = t, result;
            if (graphOutputs.Contains(t) && !g.Inputs.Any(i => i.Name == t))
            {
                source = names.Next(t + "_float");
                producerRename[t] = source;
                result = t;
            }
            else
            {
                result = names.Next(t + "_dequantized");
                rename[t] = result;
            }
            var quantized = names.Next(t + "_quantized");
            pairs[t] =
            [
                new OnnxNode { Name = names.Next(t + "_QuantizeLinear"), OpType = "QuantizeLinear", Inputs = [source, s, z], Outputs = [quantized] },
                new OnnxNode { Name = names.Next(t + "_DequantizeLinear"), OpType = "DequantizeLinear", Inputs = [quantized, s, z], Outputs = [result] },
            ];
        }

        var nodes = new List<OnnxNode>(front);
        foreach (var input in g.Inputs)
            if (pairs.TryGetValue(input.Name, out var pair)) nodes.AddRange(pair);
        foreach (var node in g.Nodes)
        {
            var inputs = node.Inputs.Select(i => rename.GetValueOrDefault(i, i)).ToList();
            if (weightInputs.TryGetValue(node, out var wb))
            {
                inputs[1] = wb.Weight;
                if (wb.Bias is not null) inputs[2] = wb.Bias;
            }
            if (slopes.TryGetValue(node, out var slopeInput)) inputs[1] = slopeInput;
            var outputs = node.Outputs.Select(o => producerRename.GetValueOrDefault(o, o)).ToList();
            nodes.Add(node with { Inputs = inputs, Outputs = outputs });
            foreach (var o in node.Outputs)
                if (pairs.TryGetValue(o, out var pair)) nodes.AddRange(pair);
        }

        // The fp32 weights and biases go unless something else still reads them.
        var read = nodes.SelectMany(n => n.Inputs).Concat(g.Outputs.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        var removed = replaced.Where(r => !read.Contains(r)).ToHashSet(StringComparer.Ordinal);
        var scheme = options.Activations.Describe();
        var method = options.Method == CalibrationMethod.MinMax ? "min/max" : $"percentile {options.Percentile.ToString(CultureInfo.InvariantCulture)}";
        var quantizedModel = model with
        {
            Metadata = [.. model.Metadata.Where(kv => kv.Key != MetadataKey),
                new(MetadataKey, $"QDQ: {plan.Targets.Count} {string.Join("/", options.OpTypes)} with int8 per-channel symmetric weights "
                    + $"(7-bit: {options.ReducedRange.ToString().ToLowerInvariant()}), int32 biases; activations {scheme} per-tensor, {method} calibration")],
            Graph = g with
            {
                Nodes = nodes,
                Initializers = [.. g.Initializers.Where(t => !removed.Contains(t.Name)), .. added],
                Inputs = g.Inputs.Where(i => !removed.Contains(i.Name)).ToList(),
            },
        };
        var summary = new QuantizationSummary
        {
            QuantizedNodes = plan.Targets.Count,
            QdqTensors = plan.Tensors.Count,
            Skipped = plan.Skipped,
            FloatWeightBytes = floatBytes,
            QuantizedWeightBytes = quantizedBytes,
            OpsetBefore = opsetBefore,
            OpsetAfter = quantizedModel.DefaultOpset,
        };
        return (quantizedModel, summary);
    }

    /// <summary>
    /// uint8: the range widened to include 0 (so 0 is exact, as zero padding needs), 255 steps, zero point rounded.
    /// int8: symmetric, scale = max|x| / 127, zero point 0. int8 asymmetric: as uint8, shifted by −128.
    /// A range of width 0 gets scale 1.
    /// </summary>
    public static (float Scale, int ZeroPoint) ActivationParameters(TensorRange range, ActivationType type)
    {
        float lo = Math.Min(range.Min, 0f), hi = Math.Max(range.Max, 0f);
        if (type == ActivationType.Int8)
        {
            float a = Math.Max(-lo, hi);
            return (a > 0 ? a / 127f : 1f, 0);
        }
        int offset = type == ActivationType.Int8Asymmetric ? -128 : 0;
        if (hi - lo <= 0) return (1f, offset);
        float scale = (hi - lo) / 255f;
        int zeroPoint = (int)Math.Clamp(Math.Round(-lo / (double)scale, MidpointRounding.ToEven), 0, 255);
        return (scale, zeroPoint + offset);
    }

    /// <summary>
    /// scale_c = max|w_c| / qmax (127, or 63 for a reduced range; 1 for an all-zero channel). Where the int32 bias would overflow at
    /// input_scale · scale_c (a near-dead channel with a bias), scale_c grows until it fits.
    /// </summary>
    public static float[] WeightScales(ReadOnlySpan<float> weights, IReadOnlyList<long> dims, int axis, float[]? bias = null, float inputScale = 1f, int qmax = 127)
    {
        int channels = (int)dims[axis];
        long inner = 1;
        for (int d = axis + 1; d < dims.Count; d++) inner *= dims[d];
        var maxAbs = new float[channels];
        for (int i = 0; i < weights.Length; i++)
        {
            int c = (int)(i / inner % channels);
            maxAbs[c] = Math.Max(maxAbs[c], Math.Abs(weights[i]));
        }
        var scales = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            scales[c] = maxAbs[c] > 0 ? maxAbs[c] / qmax : 1f;
            if (bias is not null && inputScale > 0)
            {
                float needed = (float)(Math.Abs(bias[c]) / (inputScale * (double)int.MaxValue));
                if (scales[c] < needed) scales[c] = needed * 1.0001f;
            }
        }
        return scales;
    }

    /// <summary>q = round_half_even(w / scale_c), clamped to [−127, 127] (the symmetric range: −128 is never used).</summary>
    public static sbyte[] QuantizeWeights(ReadOnlySpan<float> weights, IReadOnlyList<long> dims, int axis, float[] scales)
    {
        int channels = (int)dims[axis];
        long inner = 1;
        for (int d = axis + 1; d < dims.Count; d++) inner *= dims[d];
        var q = new sbyte[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            int c = (int)(i / inner % channels);
            q[i] = (sbyte)Math.Clamp(Math.Round(weights[i] / (double)scales[c], MidpointRounding.ToEven), -127, 127);
        }
        return q;
    }

    /// <summary>The values of a float initializer (raw bytes or the float_data field).</summary>
    public static float[] Floats(OnnxTensor t)
    {
        if (t.DataType != OnnxDataType.Float) throw new ArgumentException($"{t.Name} is {t.DataType}, not float");
        if (t.FloatData.Count == t.ElementCount) return t.FloatData.ToArray();
        if (t.RawData.Length == t.ElementCount * 4) return MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
        throw new ArgumentException($"{t.Name}: {t.ElementCount} floats expected, the tensor holds other data");
    }
}
