namespace FaceKit.Onnx;

/// <summary>
/// Serialises an <see cref="OnnxModel"/> to ONNX protobuf bytes (the same field subset the reader knows).
/// Tests build exact little graphs with it; it is also how a tool would save an edited model.
/// </summary>
public static class OnnxWriter
{
    public static byte[] Write(OnnxModel model)
    {
        var w = new ProtoWriter();
        w.Int64(1, model.IrVersion);
        w.String(2, model.ProducerName);
        w.String(3, model.ProducerVersion);
        w.Message(7, g => WriteGraph(g, model.Graph));
        foreach (var o in model.Opsets)
            w.Message(8, m =>
            {
                m.String(1, o.Domain);
                m.Int64(2, o.Version);
            });
        foreach (var (key, value) in model.Metadata)
            w.Message(14, m =>
            {
                m.String(1, key);
                m.String(2, value);
            });
        return w.ToArray();
    }

    public static void WriteFile(OnnxModel model, string path) => File.WriteAllBytes(path, Write(model));

    private static void WriteGraph(ProtoWriter w, OnnxGraph graph)
    {
        foreach (var n in graph.Nodes) w.Message(1, m => WriteNode(m, n));
        w.String(2, graph.Name);
        foreach (var t in graph.Initializers) w.Message(5, m => WriteTensor(m, t));
        foreach (var v in graph.Inputs) w.Message(11, m => WriteValueInfo(m, v));
        foreach (var v in graph.Outputs) w.Message(12, m => WriteValueInfo(m, v));
        foreach (var v in graph.ValueInfo) w.Message(13, m => WriteValueInfo(m, v));
    }

    private static void WriteNode(ProtoWriter w, OnnxNode n)
    {
        w.Strings(1, n.Inputs);
        w.Strings(2, n.Outputs);
        w.String(3, n.Name);
        w.String(4, n.OpType);
        foreach (var a in n.Attributes) w.Message(5, m => WriteAttribute(m, a));
        w.String(7, n.Domain);
    }

    private static void WriteAttribute(ProtoWriter w, OnnxAttribute a)
    {
        w.String(1, a.Name);
        switch (a.Type)
        {
            case OnnxAttributeType.Float: w.Float(2, a.F); break;
            case OnnxAttributeType.Int: w.Int64(3, a.I); break;
            case OnnxAttributeType.String: w.Bytes(4, System.Text.Encoding.UTF8.GetBytes(a.S ?? "")); break;
            case OnnxAttributeType.Tensor when a.T is not null: w.Message(5, m => WriteTensor(m, a.T)); break;
            case OnnxAttributeType.Graph when a.G is not null: w.Message(6, m => WriteGraph(m, a.G)); break;
            case OnnxAttributeType.Floats: foreach (var f in a.Floats) w.Float(7, f); break;
            case OnnxAttributeType.Ints: foreach (var i in a.Ints) w.Int64(8, i); break;
            case OnnxAttributeType.Strings: w.Strings(9, a.Strings); break;
        }
        w.Int64(20, (long)a.Type);
    }

    private static void WriteTensor(ProtoWriter w, OnnxTensor t)
    {
        w.PackedInt64(1, t.Dims.ToArray());
        w.Int64(2, (long)t.DataType);
        w.PackedFloat(4, t.FloatData.ToArray());
        if (t.Int32Data.Count > 0) w.PackedInt64(5, t.Int32Data.Select(v => (long)v).ToArray());
        w.PackedInt64(7, t.Int64Data.ToArray());
        w.String(8, t.Name);
        if (!t.RawData.IsEmpty) w.Bytes(9, t.RawData.Span);
    }

    private static void WriteValueInfo(ProtoWriter w, OnnxValueInfo v)
    {
        w.String(1, v.Name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int64(1, (long)v.ElementType);
            if (v.Shape is null) return;
            tensor.Message(2, shape =>
            {
                foreach (var d in v.Shape)
                    shape.Message(1, dim =>
                    {
                        if (d.Value is { } value) dim.Int64(1, value);
                        else dim.String(2, d.Param);
                    });
            });
        }));
    }
}
