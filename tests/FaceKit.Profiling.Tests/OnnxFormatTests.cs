using FaceKit.Core.Errors;
using FaceKit.Onnx;
using FaceKit.Testing;

namespace FaceKit.Profiling.Tests;

public class OnnxFormatTests
{
    [Fact]
    public void WrittenModel_ReadsBack_WithNodesAttributesInitializersAndShapes()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 1, 3, 8, 8);
        var y = b.Conv(x, 3, 4, 3, stride: 2, pad: 1, name: "c");
        b.Node("LeakyRelu", [y], [OnnxAttribute.Of("alpha", 0.25f)], "act");
        b.Output("act_out");
        var model = b.RoundTrip();

        Assert.Equal(13, model.DefaultOpset);
        Assert.Equal("facekit-tests", model.ProducerName);
        var conv = model.Graph.Nodes[0];
        Assert.Equal(("Conv", "c"), (conv.OpType, conv.Name));
        Assert.Equal(["x", "c.w", "c.b"], conv.Inputs);
        Assert.Equal([3L, 3], conv.Ints("kernel_shape"));
        Assert.Equal([1L, 1, 1, 1], conv.Ints("pads"));
        Assert.Equal(2, conv.Ints("strides")![0]);
        Assert.Equal(0.25f, model.Graph.Nodes[1].Float("alpha", 0));
        var w = model.Graph.Initializers.Single(t => t.Name == "c.w");
        Assert.Equal([4L, 3, 3, 3], w.Dims);
        Assert.Equal(108 * 4, w.RawData.Length);
        Assert.Equal([1L, 3, 8, 8], model.Graph.Inputs[0].Shape!.Select(d => d.Value!.Value));
    }

    [Fact]
    public void RepeatedInts_AreRead_BothPackedAndOneKeyPerValue()
    {
        // proto2 writers (PyTorch's exporter) emit one key per value; proto3 writers pack them. Both must parse.
        var packed = new ProtoWriter();
        packed.Message(1, n =>
        {
            n.String(4, "MaxPool");
            n.Message(5, a =>
            {
                a.String(1, "kernel_shape");
                a.PackedInt64(8, [3, 2]);
                a.Int64(20, (long)OnnxAttributeType.Ints);
            });
        });
        var model = new ProtoWriter();
        model.Int64(1, 8);
        model.Bytes(7, packed.ToArray());
        var parsed = OnnxModel.Parse(model.ToArray());
        Assert.Equal([3L, 2], parsed.Graph.Nodes[0].Ints("kernel_shape"));

        var b = new GraphBuilder();
        b.Node("MaxPool", [b.Input("x", 1, 1, 4, 4)], [OnnxAttribute.Of("kernel_shape", 3, 2)]);
        Assert.Equal([3L, 2], b.RoundTrip().Graph.Nodes[0].Ints("kernel_shape"));
    }

    [Fact]
    public void TensorValues_DecodeFromRawBytesAndTypedFields()
    {
        var raw = OnnxTensor.FromInt64("shape", [2], [1, -1]);
        var typed = new OnnxTensor { Name = "typed", DataType = OnnxDataType.Int64, Dims = [3], Int64Data = [4, 5, -6] };
        var floats = new OnnxTensor { Name = "floats", DataType = OnnxDataType.Float, Dims = [2], FloatData = [0.5f, 2f] };
        var model = new OnnxModel { Graph = new OnnxGraph { Initializers = [raw, typed, floats] } };
        var back = OnnxModel.Parse(model.ToBytes()).Graph.Initializers;

        Assert.Equal([1L, -1], back[0].ToInt64Array()!);
        Assert.Equal([4L, 5, -6], back[1].ToInt64Array()!);
        Assert.Equal([0.5, 2.0], back[2].ToDoubleArray()!);
    }

    [Fact]
    public void Garbage_IsBadInput_NotACrash()
    {
        var e = Assert.Throws<FaceKitException>(() => OnnxModel.Parse(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2 }));
        Assert.Equal(ErrorCode.BadInput, e.Code);
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("notes.onnx"), "this is not a model");
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => OnnxModel.Load(dir.File("notes.onnx"))).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => OnnxModel.Load(dir.File("missing.onnx"))).Code);
    }
}
