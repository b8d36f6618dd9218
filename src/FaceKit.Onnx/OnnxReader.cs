using FaceKit.Core.Errors;

namespace FaceKit.Onnx;

/// <summary>
/// Reads the subset of onnx.proto that analysis needs (ModelProto, GraphProto, NodeProto, AttributeProto,
/// TensorProto, ValueInfoProto, TypeProto.Tensor). Unknown fields are skipped, as protobuf requires, so
/// newer files still parse. Field numbers follow onnx/onnx.proto (IR version 10).
/// </summary>
public static class OnnxReader
{
    public static OnnxModel ReadFile(string path)
    {
        if (!File.Exists(path)) throw FaceKitException.BadInput($"{path}: no such file");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FaceKitException.BadInput($"{path}: cannot read ({e.Message})", e);
        }
        try
        {
            return Read(bytes);
        }
        catch (FaceKitException e)
        {
            throw FaceKitException.BadInput($"{path}: {e.Message}", e);
        }
    }

    public static OnnxModel Read(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var model = ReadModel(new ProtoReader(bytes));
            if (model is null) throw FaceKitException.BadInput("not an ONNX model (no graph)");
            return model;
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException or ArgumentOutOfRangeException)
        {
            throw FaceKitException.BadInput($"not a valid ONNX protobuf: {e.Message}", e);
        }
    }

    private static OnnxModel? ReadModel(ProtoReader r)
    {
        long ir = 0;
        string producer = "", producerVersion = "";
        var opsets = new List<OnnxOpset>();
        OnnxGraph? graph = null;
        var metadata = new List<KeyValuePair<string, string>>();
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == WireType.Varint: ir = r.ReadInt64(); break;
                case 14 when wire == WireType.LengthDelimited: metadata.Add(ReadStringPair(r.ReadMessage())); break;
                case 2 when wire == WireType.LengthDelimited: producer = r.ReadString(); break;
                case 3 when wire == WireType.LengthDelimited: producerVersion = r.ReadString(); break;
                case 7 when wire == WireType.LengthDelimited: graph = ReadGraph(r.ReadMessage()); break;
                case 8 when wire == WireType.LengthDelimited: opsets.Add(ReadOpset(r.ReadMessage())); break;
                default: r.Skip(wire); break;
            }
        }
        return graph is null ? null : new OnnxModel
        {
            IrVersion = ir, ProducerName = producer, ProducerVersion = producerVersion, Opsets = opsets, Graph = graph, Metadata = metadata,
        };
    }

    /// <summary>StringStringEntryProto: key = 1, value = 2.</summary>
    private static KeyValuePair<string, string> ReadStringPair(ProtoReader r)
    {
        string key = "", value = "";
        while (r.Next(out int field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited) key = r.ReadString();
            else if (field == 2 && wire == WireType.LengthDelimited) value = r.ReadString();
            else r.Skip(wire);
        }
        return new KeyValuePair<string, string>(key, value);
    }

    private static OnnxOpset ReadOpset(ProtoReader r)
    {
        string domain = "";
        long version = 0;
        while (r.Next(out int field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited) domain = r.ReadString();
            else if (field == 2 && wire == WireType.Varint) version = r.ReadInt64();
            else r.Skip(wire);
        }
        return new OnnxOpset(domain, version);
    }

    private static OnnxGraph ReadGraph(ProtoReader r)
    {
        string name = "";
        var nodes = new List<OnnxNode>();
        var inits = new List<OnnxTensor>();
        var inputs = new List<OnnxValueInfo>();
        var outputs = new List<OnnxValueInfo>();
        var valueInfo = new List<OnnxValueInfo>();
        while (r.Next(out int field, out var wire))
        {
            if (wire != WireType.LengthDelimited)
            {
                r.Skip(wire);
                continue;
            }
            switch (field)
            {
                case 1: nodes.Add(ReadNode(r.ReadMessage())); break;
                case 2: name = r.ReadString(); break;
                case 5: inits.Add(ReadTensor(r.ReadMessage())); break;
                case 11: inputs.Add(ReadValueInfo(r.ReadMessage())); break;
                case 12: outputs.Add(ReadValueInfo(r.ReadMessage())); break;
                case 13: valueInfo.Add(ReadValueInfo(r.ReadMessage())); break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxGraph { Name = name, Nodes = nodes, Initializers = inits, Inputs = inputs, Outputs = outputs, ValueInfo = valueInfo };
    }

    private static OnnxNode ReadNode(ProtoReader r)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new List<OnnxAttribute>();
        string name = "", op = "", domain = "";
        while (r.Next(out int field, out var wire))
        {
            if (wire != WireType.LengthDelimited)
            {
                r.Skip(wire);
                continue;
            }
            switch (field)
            {
                case 1: inputs.Add(r.ReadString()); break;
                case 2: outputs.Add(r.ReadString()); break;
                case 3: name = r.ReadString(); break;
                case 4: op = r.ReadString(); break;
                case 5: attributes.Add(ReadAttribute(r.ReadMessage())); break;
                case 7: domain = r.ReadString(); break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxNode { Name = name, OpType = op, Domain = domain, Inputs = inputs, Outputs = outputs, Attributes = attributes };
    }

    private static OnnxAttribute ReadAttribute(ProtoReader r)
    {
        string name = "";
        var type = OnnxAttributeType.Undefined;
        float f = 0;
        long i = 0;
        string? s = null;
        OnnxTensor? t = null;
        OnnxGraph? g = null;
        var floats = new List<float>();
        var ints = new List<long>();
        var strings = new List<string>();
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == WireType.LengthDelimited: name = r.ReadString(); break;
                case 2 when wire == WireType.Fixed32: f = r.ReadFloat(); break;
                case 3 when wire == WireType.Varint: i = r.ReadInt64(); break;
                case 4 when wire == WireType.LengthDelimited: s = r.ReadString(); break;
                case 5 when wire == WireType.LengthDelimited: t = ReadTensor(r.ReadMessage()); break;
                case 6 when wire == WireType.LengthDelimited: g = ReadGraph(r.ReadMessage()); break;
                case 7: r.ReadRepeatedFloat(wire, floats); break;
                case 8: r.ReadRepeatedInt64(wire, ints); break;
                case 9 when wire == WireType.LengthDelimited: strings.Add(r.ReadString()); break;
                case 20 when wire == WireType.Varint: type = (OnnxAttributeType)r.ReadInt32(); break;
                default: r.Skip(wire); break;
            }
        }
        if (type == OnnxAttributeType.Undefined)
        {
            // IR version 1 files carry no type field: infer it from which value is present.
            type = t is not null ? OnnxAttributeType.Tensor
                : g is not null ? OnnxAttributeType.Graph
                : s is not null ? OnnxAttributeType.String
                : ints.Count > 0 ? OnnxAttributeType.Ints
                : floats.Count > 0 ? OnnxAttributeType.Floats
                : strings.Count > 0 ? OnnxAttributeType.Strings
                : f != 0 ? OnnxAttributeType.Float : OnnxAttributeType.Int;
        }
        return new OnnxAttribute { Name = name, Type = type, F = f, I = i, S = s, T = t, G = g, Floats = floats, Ints = ints, Strings = strings };
    }

    internal static OnnxTensor ReadTensor(ProtoReader r)
    {
        var dims = new List<long>();
        var floats = new List<float>();
        var int32s = new List<int>();
        var int64s = new List<long>();
        var doubles = new List<double>();
        var uint64s = new List<long>();
        int dataType = 0;
        string name = "";
        ReadOnlyMemory<byte> raw = default;
        bool external = false;
        while (r.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: r.ReadRepeatedInt64(wire, dims); break;
                case 2 when wire == WireType.Varint: dataType = r.ReadInt32(); break;
                case 4: r.ReadRepeatedFloat(wire, floats); break;
                case 5: r.ReadRepeatedInt32(wire, int32s); break;
                case 7: r.ReadRepeatedInt64(wire, int64s); break;
                case 8 when wire == WireType.LengthDelimited: name = r.ReadString(); break;
                case 9 when wire == WireType.LengthDelimited: raw = r.ReadBytes(); break;
                case 10: r.ReadRepeatedDouble(wire, doubles); break;
                case 11: r.ReadRepeatedInt64(wire, uint64s); break;
                case 14 when wire == WireType.Varint: external = r.ReadInt32() == 1; break;
                default: r.Skip(wire); break;
            }
        }
        if (uint64s.Count > 0 && int64s.Count == 0) int64s = uint64s;
        return new OnnxTensor
        {
            Name = name, DataType = (OnnxDataType)dataType, Dims = dims, RawData = raw, FloatData = floats,
            Int32Data = int32s, Int64Data = int64s, DoubleData = doubles, External = external,
        };
    }

    private static OnnxValueInfo ReadValueInfo(ProtoReader r)
    {
        string name = "";
        var type = OnnxDataType.Undefined;
        List<OnnxDim>? shape = null;
        while (r.Next(out int field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited) name = r.ReadString();
            else if (field == 2 && wire == WireType.LengthDelimited) (type, shape) = ReadTypeProto(r.ReadMessage());
            else r.Skip(wire);
        }
        return new OnnxValueInfo(name, type, shape);
    }

    /// <summary>TypeProto: only tensor_type (field 1) is read; sequences, maps and optionals stay untyped.</summary>
    private static (OnnxDataType, List<OnnxDim>?) ReadTypeProto(ProtoReader r)
    {
        var type = OnnxDataType.Undefined;
        List<OnnxDim>? shape = null;
        while (r.Next(out int field, out var wire))
        {
            if (field != 1 || wire != WireType.LengthDelimited)
            {
                r.Skip(wire);
                continue;
            }
            var tensor = r.ReadMessage();
            while (tensor.Next(out int tf, out var tw))
            {
                if (tf == 1 && tw == WireType.Varint) type = (OnnxDataType)tensor.ReadInt32();
                else if (tf == 2 && tw == WireType.LengthDelimited) shape = ReadShape(tensor.ReadMessage());
                else tensor.Skip(tw);
            }
        }
        return (type, shape);
    }

    private static List<OnnxDim> ReadShape(ProtoReader r)
    {
        var dims = new List<OnnxDim>();
        while (r.Next(out int field, out var wire))
        {
            if (field != 1 || wire != WireType.LengthDelimited)
            {
                r.Skip(wire);
                continue;
            }
            var d = r.ReadMessage();
            long? value = null;
            string? param = null;
            while (d.Next(out int df, out var dw))
            {
                if (df == 1 && dw == WireType.Varint) value = d.ReadInt64();
                else if (df == 2 && dw == WireType.LengthDelimited) param = d.ReadString();
                else d.Skip(dw);
            }
            dims.Add(new OnnxDim(value, param));
        }
        return dims;
    }
}
