using FaceKit.Onnx;

namespace FaceKit.Profiling.Tests;

/// <summary>
/// Builds small ONNX graphs by hand so every expected figure can be computed on paper. Models go through the
/// protobuf writer and back through the reader (<see cref="RoundTrip"/>), so tests exercise the file format too.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly List<OnnxValueInfo> _valueInfo = [];
    private int _counter;

    public long Opset { get; init; } = 13;

    public string Input(string name, params long[] dims)
    {
        _inputs.Add(OnnxValueInfo.Fixed(name, OnnxDataType.Float, dims));
        return name;
    }

    public void Output(string name, OnnxDataType type = OnnxDataType.Float) => _outputs.Add(new OnnxValueInfo(name, type, null));

    public void Declare(string name, OnnxDataType type, params long[] dims) => _valueInfo.Add(OnnxValueInfo.Fixed(name, type, dims));

    public string Initializer(string name, OnnxDataType type, params long[] dims)
    {
        _initializers.Add(OnnxTensor.Zeros(name, type, dims));
        return name;
    }

    public string Int64s(string name, params long[] values)
    {
        _initializers.Add(OnnxTensor.FromInt64(name, [values.Length], values));
        return name;
    }

    public string Scalar(string name, long value)
    {
        _initializers.Add(OnnxTensor.FromInt64(name, [], [value]));
        return name;
    }

    public string Node(string op, string[] inputs, OnnxAttribute[]? attributes = null, string? name = null, int outputs = 1, string domain = "")
    {
        name ??= $"{op}_{_counter++}";
        var outs = Enumerable.Range(0, outputs).Select(i => outputs == 1 ? name + "_out" : $"{name}_out{i}").ToArray();
        _nodes.Add(new OnnxNode { Name = name, OpType = op, Domain = domain, Inputs = inputs, Outputs = outs, Attributes = attributes ?? [] });
        return outs[0];
    }

    /// <summary>A square-kernel Conv with zero weights [cout, cin/group, k, k] and an optional bias [cout].</summary>
    public string Conv(string x, long cin, long cout, long k, long stride = 1, long pad = 0, long group = 1, bool bias = true, string? name = null)
    {
        name ??= $"conv{_counter}";
        var w = Initializer(name + ".w", OnnxDataType.Float, cout, cin / group, k, k);
        string[] inputs = bias ? [x, w, Initializer(name + ".b", OnnxDataType.Float, cout)] : [x, w];
        return Node("Conv", inputs,
        [
            OnnxAttribute.Of("kernel_shape", k, k), OnnxAttribute.Of("strides", stride, stride),
            OnnxAttribute.Of("pads", pad, pad, pad, pad), OnnxAttribute.Of("group", group),
        ], name);
    }

    public string Relu(string x, string? name = null) => Node("Relu", [x], name: name);

    public OnnxModel Build() => new()
    {
        IrVersion = 8,
        ProducerName = "facekit-tests",
        Opsets = [new OnnxOpset("", Opset)],
        Graph = new OnnxGraph
        {
            Name = "test", Nodes = _nodes, Initializers = _initializers, Inputs = _inputs, Outputs = _outputs, ValueInfo = _valueInfo,
        },
    };

    /// <summary>Writes the model to protobuf bytes and parses them back.</summary>
    public OnnxModel RoundTrip() => OnnxModel.Parse(Build().ToBytes());

    public ModelProfile Profile(ProfileOptions? options = null) => ModelProfiler.Profile(RoundTrip(), options);
}
