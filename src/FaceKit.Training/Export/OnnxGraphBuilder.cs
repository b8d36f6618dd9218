using FaceKit.Onnx;

namespace FaceKit.Training.Export;

/// <summary>
/// Appends nodes and float initializers to a graph under construction. Each node's output is named after the
/// module path it came from ("backbone.blocks.3.project"), so an exported graph reads like the network's code.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly HashSet<string> _names;

    /// <param name="reserved">Names the graph's inputs and outputs take, which no node or initializer may reuse.</param>
    public OnnxGraphBuilder(params string[] reserved) => _names = [.. reserved];

    public IReadOnlyList<OnnxNode> Nodes => _nodes;
    public IReadOnlyList<OnnxTensor> Initializers => _initializers;

    public string Constant(string name, long[] dims, float[] values)
    {
        name = Unique(name);
        _initializers.Add(OnnxTensor.FromFloats(name, dims, values));
        return name;
    }

    public string Node(string opType, string name, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
    {
        name = Unique(name);
        _nodes.Add(new OnnxNode { Name = name, OpType = opType, Inputs = inputs, Outputs = [name], Attributes = attributes });
        return name;
    }

    /// <summary>Gives the last node's output the graph output's name (the graph ends where the network does).</summary>
    public void NameLastOutput(string current, string wanted)
    {
        var last = _nodes[^1];
        if (last.Outputs[0] != current) throw new InvalidOperationException($"the last node writes {last.Outputs[0]}, not {current}");
        _nodes[^1] = last with { Outputs = [wanted] };
    }

    private string Unique(string name)
    {
        var candidate = name;
        for (int i = 1; !_names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }
}
