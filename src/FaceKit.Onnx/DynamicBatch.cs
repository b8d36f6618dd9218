using System.Runtime.InteropServices;

namespace FaceKit.Onnx;

/// <summary>
/// Rewrites a model exported with a fixed batch of 1 so it takes any batch: graph inputs and outputs get a
/// symbolic first dimension, and Reshape shapes that pin the batch to 1 get −1 there. Several faces of one
/// image can then be embedded in one call.
/// </summary>
public static class DynamicBatch
{
    public const string BatchParam = "N";

    public static OnnxModel Apply(OnnxModel model)
    {
        var graph = model.Graph;
        var outputs = graph.Outputs.ToDictionary(o => o.Name);
        var rewritten = new Dictionary<string, OnnxTensor>();
        foreach (var node in graph.Nodes.Where(n => n.OpType == "Reshape"))
        {
            var shapeName = node.Input(1);
            var init = graph.Initializers.FirstOrDefault(i => i.Name == shapeName && i.DataType == OnnxDataType.Int64);
            if (init is null)
                throw new NotSupportedException($"{node}: its shape is computed, not a constant; cannot make the batch dynamic");
            var shape = Values(init);
            if (shape.Length == 0 || shape[0] != 1) continue;
            if (!shape.Skip(1).Contains(-1)) shape[0] = -1;
            else if (outputs.TryGetValue(node.Outputs[0], out var output) && output.Shape is { } dims && dims.Skip(1).All(d => d.Value is not null))
                shape = [-1, .. dims.Skip(1).Select(d => d.Value!.Value)];
            else
                throw new NotSupportedException($"{node}: shape [{string.Join(",", Values(init))}] pins the batch and has another −1");
            rewritten[init.Name] = init with { RawData = MemoryMarshal.AsBytes(shape.AsSpan()).ToArray(), Int64Data = [], Dims = [shape.Length] };
        }
        return model with
        {
            Graph = graph with
            {
                Initializers = graph.Initializers.Select(i => rewritten.GetValueOrDefault(i.Name, i)).ToList(),
                Inputs = graph.Inputs.Select(Symbolic).ToList(),
                Outputs = graph.Outputs.Select(Symbolic).ToList(),
                // Intermediate shapes recorded with batch 1 would now be wrong; ONNX Runtime infers them again.
                ValueInfo = [],
            },
        };
    }

    private static long[] Values(OnnxTensor t) =>
        t.Int64Data.Count > 0 ? t.Int64Data.ToArray() : MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray();

    private static OnnxValueInfo Symbolic(OnnxValueInfo v) =>
        v.Shape is { Count: > 0 } s && s[0].Value == 1 ? v with { Shape = [new OnnxDim(null, BatchParam), .. s.Skip(1)] } : v;
}
