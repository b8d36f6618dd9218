using FaceKit.Core.Errors;
using FaceKit.Onnx;

namespace FaceKit.Training.Quantization;

/// <summary>
/// Moves a model's default-domain opset up to 13, the first where DequantizeLinear takes a per-channel scale
/// (axis). Most inference ops mean the same at 9 and at 13; the few that moved attributes to inputs
/// (Squeeze, Unsqueeze, ReduceSum, Split, Clip, Pad, Slice) are rewritten, Dropout becomes Identity, and
/// anything whose meaning changed in a way that needs shapes to carry over (Softmax with a non-last axis,
/// Upsample, Resize-10) is refused with a one-line reason rather than silently changed.
/// </summary>
public static class OpsetUpgrade
{
    /// <summary>Ops whose inference semantics are the same from opset 7 (or their own first version) through 13.</summary>
    private static readonly HashSet<string> Unchanged = new(StringComparer.Ordinal)
    {
        "Conv", "ConvTranspose", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Relu", "LeakyRelu", "PRelu", "Sigmoid",
        "Tanh", "Elu", "Selu", "HardSigmoid", "Softplus", "Softsign", "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Floor",
        "Ceil", "Round", "Erf", "Sign", "Max", "Min", "Sum", "Mean", "Identity", "Flatten", "Reshape", "Transpose", "Concat",
        "GlobalAveragePool", "GlobalMaxPool", "AveragePool", "MaxPool", "LpNormalization", "BatchNormalization",
        "InstanceNormalization", "LRN", "Shape", "Size", "Gather", "GatherElements", "Cast", "Constant", "ConstantOfShape",
        "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare",
        "ArgMax", "ArgMin", "Equal", "Greater", "Less", "Not", "And", "Or", "Xor", "Where", "Expand", "Tile", "Range",
        "TopK", "DepthToSpace", "SpaceToDepth", "Einsum", "Mod", "NonZero", "OneHot", "ScatterElements", "ScatterND", "GatherND",
        "Resize", "QuantizeLinear", "DequantizeLinear", "Slice", "Pad", "Clip", "Squeeze", "Unsqueeze", "ReduceSum", "Split",
        "Softmax", "LogSoftmax", "Hardmax", "Dropout",
    };

    public static OnnxModel To13(OnnxModel model)
    {
        long from = model.DefaultOpset;
        if (from >= QuantizationOptions.MinimumOpset) return model;
        if (from < 7)
            throw FaceKitException.BadInput($"the model is at opset {from}; only opset 7 or later can be moved to {QuantizationOptions.MinimumOpset} for quantisation");
        var names = new UniqueNames(model.Graph);
        var initializers = new List<OnnxTensor>(model.Graph.Initializers);
        var nodes = new List<OnnxNode>(model.Graph.Nodes.Count);
        foreach (var node in model.Graph.Nodes)
        {
            if (node.Domain is not ("" or "ai.onnx"))
            {
                nodes.Add(node);
                continue;
            }
            if (!Unchanged.Contains(node.OpType))
                throw Refuse(node, from, "it has no known conversion");
            nodes.Add(Convert(node, from, names, initializers));
        }
        var opsets = model.Opsets.Select(o => o.Domain is "" or "ai.onnx" ? o with { Version = QuantizationOptions.MinimumOpset } : o).ToList();
        return model with
        {
            IrVersion = Math.Max(model.IrVersion, 7),
            Opsets = opsets,
            Graph = model.Graph with { Nodes = nodes, Initializers = initializers },
        };
    }

    private static OnnxNode Convert(OnnxNode node, long from, UniqueNames names, List<OnnxTensor> initializers)
    {
        string Const(string suffix, OnnxTensor t)
        {
            var name = names.Next($"{NodeLabel(node)}/{suffix}");
            initializers.Add(t with { Name = name });
            return name;
        }

        OnnxNode AttributesToInputs(params (string Attribute, Func<OnnxAttribute, OnnxTensor> Tensor)[] moved)
        {
            var inputs = node.Inputs.ToList();
            foreach (var (attribute, tensor) in moved)
            {
                var a = node.Attribute(attribute);
                inputs.Add(a is null ? "" : Const(attribute, tensor(a)));
            }
            while (inputs.Count > 0 && inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);
            var keep = node.Attributes.Where(a => moved.All(m => m.Attribute != a.Name)).ToList();
            return node with { Inputs = inputs, Attributes = keep };
        }

        static OnnxTensor Ints(OnnxAttribute a) => OnnxTensor.FromInt64("", [a.Ints.Count], a.Ints.ToArray());
        static OnnxTensor Scalar(float v) => OnnxTensor.FromFloats("", [], [v]);

        switch (node.OpType)
        {
            case "Squeeze" or "Unsqueeze" or "ReduceSum":
                return AttributesToInputs(("axes", Ints));
            case "Split":
                return AttributesToInputs(("split", Ints));
            case "Clip" when from < 11:
                return AttributesToInputs(("min", a => Scalar(a.F)), ("max", a => Scalar(a.F)));
            case "Pad" when from < 11:
            {
                var padded = AttributesToInputs(("pads", Ints), ("value", a => Scalar(a.F)));
                if (node.Attribute("pads") is null) throw Refuse(node, from, "it has no pads");
                return padded;
            }
            case "Slice" when from < 10:
                if (node.Attribute("starts") is null || node.Attribute("ends") is null) throw Refuse(node, from, "it has no starts/ends");
                return AttributesToInputs(("starts", Ints), ("ends", Ints), ("axes", Ints));
            case "Dropout":
                if (node.Outputs.Count > 1 && node.Outputs[1].Length > 0) throw Refuse(node, from, "its mask output is used");
                return new OnnxNode { Name = node.Name, OpType = "Identity", Inputs = [node.Inputs[0]], Outputs = [node.Outputs[0]] };
            case "Softmax" or "LogSoftmax" or "Hardmax":
                // Before 13 the input was flattened to 2-D at `axis` (default 1); from 13 only `axis` is reduced.
                // The two agree when the axis is the last one, which -1 says without knowing the rank.
                if (node.Int("axis", 1) != -1) throw Refuse(node, from, "its axis is not -1 (the meaning of axis changed at opset 13)");
                return node;
            case "Resize" when from < 11:
                throw Refuse(node, from, "Resize-10 sampled differently (asymmetric coordinates)");
            case "BatchNormalization":
                if (node.Int("spatial", 1) != 1) throw Refuse(node, from, "it is not spatial");
                return node with { Attributes = node.Attributes.Where(a => a.Name is not ("spatial" or "consumed_inputs" or "is_test")).ToList() };
            default:
                return node;
        }
    }

    private static string NodeLabel(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? node.OpType;

    private static FaceKitException Refuse(OnnxNode node, long from, string why) => FaceKitException.BadInput(
        $"{node} cannot be moved from opset {from} to {QuantizationOptions.MinimumOpset} (needed for per-channel int8): {why}; export the model at opset 13 or later");
}

/// <summary>Fresh tensor names that collide with nothing already in a graph.</summary>
internal sealed class UniqueNames
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public UniqueNames(OnnxGraph graph)
    {
        foreach (var t in graph.Initializers) _used.Add(t.Name);
        foreach (var v in graph.Inputs) _used.Add(v.Name);
        foreach (var v in graph.Outputs) _used.Add(v.Name);
        foreach (var n in graph.Nodes)
        {
            foreach (var o in n.Outputs) _used.Add(o);
            foreach (var i in n.Inputs) _used.Add(i);
            if (n.Name.Length > 0) _used.Add(n.Name);
        }
    }

    public string Next(string wanted)
    {
        var name = wanted;
        for (int i = 1; !_used.Add(name); i++) name = $"{wanted}_{i}";
        return name;
    }
}
