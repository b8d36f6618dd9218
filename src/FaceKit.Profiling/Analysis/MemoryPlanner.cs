using FaceKit.Onnx;

namespace FaceKit.Profiling.Analysis;

/// <summary>The activation buffers of a schedule and the live bytes at every step.</summary>
internal sealed record MemoryPlan(long[] LiveBytes, bool[] InPlace, long PeakBytes, int PeakStep);

/// <summary>
/// Simulates a runtime's buffer lifetimes over a fixed schedule. Every intermediate tensor gets a buffer when its
/// producer runs and releases it after its last consumer. Views (Reshape, Flatten, Squeeze, Unsqueeze, Identity,
/// Dropout, Q/DQ) share their input's buffer; element-wise ops write into an input buffer that dies at that node
/// when the output fits in it. Graph inputs, graph outputs and constants are not activations: RAM counts the
/// input and output buffers separately.
/// </summary>
internal static class MemoryPlanner
{
    internal static readonly HashSet<string> Views = new(StringComparer.Ordinal)
    {
        "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout", "QuantizeLinear", "DequantizeLinear",
    };

    private sealed class Buffer(long size, int alloc)
    {
        public long Size = size;
        public readonly int Alloc = alloc;
        public int Free = alloc;
    }

    public static MemoryPlan Plan(IReadOnlyList<OnnxNode> schedule, InferredGraph g, double? elementBytes)
    {
        var outputs = new HashSet<string>(g.Outputs, StringComparer.Ordinal);
        var inputs = new HashSet<string>(g.Inputs, StringComparer.Ordinal);
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < schedule.Count; i++)
            foreach (var name in schedule[i].Inputs)
                if (name.Length > 0) lastUse[name] = i;

        long Bytes(string name) => g.Info(name).Bytes(elementBytes) ?? 0;

        var bufferOf = new Dictionary<string, Buffer>(StringComparer.Ordinal);
        var buffers = new List<Buffer>();
        var inPlace = new bool[schedule.Count];
        for (int i = 0; i < schedule.Count; i++)
        {
            var node = schedule[i];
            for (int o = 0; o < node.Outputs.Count; o++)
            {
                var name = node.Outputs[o];
                if (name.Length == 0 || outputs.Contains(name) || g.Constants.Contains(name)) continue;
                int until = lastUse.GetValueOrDefault(name, i);
                long bytes = Bytes(name);
                var source = node.Input(0);
                if (o == 0 && Views.Contains(node.OpType) && source is not null)
                {
                    if (bufferOf.TryGetValue(source, out var shared))
                    {
                        shared.Size = Math.Max(shared.Size, bytes);
                        shared.Free = Math.Max(shared.Free, until);
                        bufferOf[name] = shared;
                        inPlace[i] = true;
                        continue;
                    }
                    if (inputs.Contains(source))
                    {
                        inputs.Add(name); // a view of the input buffer: no activation memory
                        inPlace[i] = true;
                        continue;
                    }
                }
                if (o == 0 && OpCost.ElementWise.Contains(node.OpType) && ReusableInput(node, i, g, bufferOf, bytes) is { } reuse)
                {
                    reuse.Free = Math.Max(reuse.Free, until);
                    bufferOf[name] = reuse;
                    inPlace[i] = true;
                    continue;
                }
                var buffer = new Buffer(bytes, i) { Free = until };
                buffers.Add(buffer);
                bufferOf[name] = buffer;
            }
        }

        var live = new long[schedule.Count];
        foreach (var b in buffers)
            for (int s = b.Alloc; s <= b.Free && s < live.Length; s++)
                live[s] += b.Size;
        long peak = 0;
        int peakStep = -1;
        for (int s = 0; s < live.Length; s++)
            if (live[s] > peak)
            {
                peak = live[s];
                peakStep = s;
            }
        return new MemoryPlan(live, inPlace, peak, peakStep);
    }

    /// <summary>An input buffer the node may overwrite: same shape as the output, big enough, and dead after this node.</summary>
    private static Buffer? ReusableInput(OnnxNode node, int step, InferredGraph g, Dictionary<string, Buffer> bufferOf, long bytes)
    {
        var outShape = g.Info(node.Outputs[0]).Shape;
        if (outShape is null) return null;
        // PRelu's slope and BatchNormalization's statistics are parameters: only input 0 carries data.
        int candidates = node.OpType is "PRelu" or "BatchNormalization" or "InstanceNormalization" or "LayerNormalization" ? 1 : node.Inputs.Count;
        for (int k = 0; k < candidates; k++)
        {
            var name = node.Input(k);
            if (name is null || !bufferOf.TryGetValue(name, out var buffer)) continue;
            if (buffer.Free != step || buffer.Size < bytes) continue;
            if (g.Info(name).Shape is not { } s || !s.AsSpan().SequenceEqual(outShape)) continue;
            return buffer;
        }
        return null;
    }
}
