using FaceKit.Profiling.Analysis;
using FaceKit.Onnx;

namespace FaceKit.Profiling.Targets;

/// <summary>Why a node runs on the host: the rule that excluded it, in words, and that rule's source.</summary>
internal readonly record struct Verdict(string Rule, string Reason, string Source);

/// <summary>Applies a target profile to one node: null = the accelerator runs it, else the first rule it breaks.</summary>
internal static class TargetEvaluator
{
    public static Verdict? Place(OnnxNode node, TargetProfile target, NodeContext ctx)
    {
        if (!target.Supports(node.OpType))
            return new Verdict("supported_ops", $"{node.OpType} is not in the {target.Accelerator} operator list", target.SupportedOpsSource);
        foreach (var rule in target.Rules)
        {
            if (!rule.AppliesTo(node.OpType)) continue;
            if (Check(rule, node, ctx) is { } reason) return new Verdict(rule.Id, reason, rule.Source);
        }
        return null;
    }

    /// <summary>Null when the node satisfies the rule, else the reason it does not.</summary>
    private static string? Check(TargetRule rule, OnnxNode node, NodeContext ctx)
    {
        var g = ctx.Graph;
        switch (rule.Kind)
        {
            case "unsupported":
                return $"{node.OpType} runs in software on this target";
            case "requires_int8":
                return ctx.AssumeInt8 || IsQuantized(node, ctx) ? null : "float node: the accelerator runs only int8-quantised (QDQ) nodes";
            case "max_kernel":
            {
                if (OpCost.Window(node, g) is not { Kernel.Length: >= 1 } w) return null;
                long kh = w.Kernel[0], kw = w.Kernel[^1], sw = w.Strides[^1];
                if (rule.MaxH is { } mh && kh > mh) return $"kernel height {kh} > {mh}";
                long? maxW = rule.MaxWByStride is { } byStride && byStride.TryGetValue(sw.ToString(), out var limit) ? limit : rule.MaxW;
                if (maxW is { } mw && kw > mw) return $"kernel width {kw} > {mw} at stride {sw}";
                return null;
            }
            case "max_stride":
                return OpCost.Window(node, g) is { } ws && ws.Strides.Max() is var s && s > rule.Max ? $"stride {s} > {rule.Max}" : null;
            case "max_dilation":
                return OpCost.Window(node, g) is { } wd && wd.Dilations.Max() is var d && d > rule.Max ? $"dilation {d} > {rule.Max}" : null;
            case "window":
            {
                if (OpCost.Window(node, g) is not { } w) return null;
                var window = OpCost.IsGlobalPool(node.OpType) ? w.InputSpatial : w.Kernel;
                string size = string.Join("×", window);
                if (rule.Max is { } max && window.Any(k => k > max)) return $"pooling window {size} exceeds {max}";
                if (rule.Min is { } min && window.Any(k => k < min)) return $"pooling window {size} below {min}";
                return null;
            }
            case "foldable":
            {
                var source = DataProducer(node.Input(0), ctx);
                if (source is null || !rule.Producers!.Contains(source.OpType))
                    return $"{node.OpType} does not follow a {string.Join("/", rule.Producers!)} it could be folded into";
                var shared = source.Outputs.Where(o => o.Length > 0).Sum(o => ctx.ConsumersOf(o).Count);
                return shared > 1 ? $"the {source.OpType} output it follows has other consumers, so it cannot be folded" : null;
            }
            case "constant_inputs":
                foreach (int k in rule.Inputs!)
                    if (node.Input(k) is { } name && !g.Constants.Contains(name)) return $"input {k} ('{name}') is not an initializer";
                return null;
            case "spatial_dims":
            {
                if (g.Info(node.Input(0)).Rank is not { } rank) return null;
                return rule.Values!.Contains(rank - 2) ? null : $"{rank - 2}-D spatial input (supported: {string.Join(", ", rule.Values!)}-D)";
            }
            case "max_outputs":
            {
                int connected = node.Outputs.Count(o => o.Length > 0 && (ctx.ConsumersOf(o).Count > 0 || g.Outputs.Contains(o)));
                return connected > rule.Max ? $"{connected} connected outputs (at most {rule.Max})" : null;
            }
            default:
                return $"unknown rule kind {rule.Kind}";
        }
    }

    /// <summary>The node producing a tensor, looking through Q/DQ pairs (a QDQ model wraps every tensor in one).</summary>
    private static OnnxNode? DataProducer(string? name, NodeContext ctx)
    {
        for (int hop = 0; name is not null && hop < 8; hop++)
        {
            if (!ctx.Producer.TryGetValue(name, out var p)) return null;
            if (p.OpType is not ("QuantizeLinear" or "DequantizeLinear")) return p;
            name = p.Input(0);
        }
        return null;
    }

    /// <summary>
    /// QDQ semantics: every data input arrives through DequantizeLinear (or is already a low-bit integer), every
    /// weight is a dequantised integer initializer, and every consumer of the output is a QuantizeLinear.
    /// Integer ops (QLinearConv, ConvInteger, …) are quantised by construction.
    /// </summary>
    internal static bool IsQuantized(OnnxNode node, NodeContext ctx)
    {
        if (node.OpType is "QLinearConv" or "QLinearMatMul" or "ConvInteger" or "MatMulInteger") return true;
        var g = ctx.Graph;
        bool any = false;
        for (int k = 0; k < node.Inputs.Count; k++)
        {
            var name = node.Input(k);
            if (name is null || WeightCollector.ShapeLike(node.OpType, k)) continue;
            any = true;
            if (g.Info(name).DataType.IsLowBitInteger()) continue;
            if (ctx.Producer.TryGetValue(name, out var p) && p.OpType == "DequantizeLinear") continue;
            return false;
        }
        if (!any) return false;
        foreach (var output in node.Outputs.Where(o => o.Length > 0))
        {
            if (g.Info(output).DataType.IsLowBitInteger()) continue;
            var users = ctx.ConsumersOf(output);
            if (g.Outputs.Contains(output) || users.Count == 0 || users.Any(u => u.OpType != "QuantizeLinear")) return false;
        }
        return true;
    }
}
