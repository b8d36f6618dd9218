using FaceKit.Profiling.Analysis;
using FaceKit.Onnx;

namespace FaceKit.Profiling.Tests;

public class ShapeInferenceTests
{
    private static long[] ConvOutput(long size, OnnxAttribute[] attributes, long k = 3)
    {
        var b = new GraphBuilder();
        var w = b.Initializer("w", OnnxDataType.Float, 4, 2, k, k);
        var y = b.Node("Conv", [b.Input("x", 1, 2, size, size), w], attributes);
        b.Output(y);
        var g = ShapeInference.Run(b.RoundTrip());
        return g.Info(y).Shape!;
    }

    [Fact]
    public void Conv_OutputSize_FollowsPadsStridesDilationsAndAutoPad()
    {
        Assert.Equal([1L, 4, 32, 32], ConvOutput(32, [OnnxAttribute.Of("pads", 1, 1, 1, 1)]));
        Assert.Equal([1L, 4, 16, 16], ConvOutput(32, [OnnxAttribute.Of("pads", 1, 1, 1, 1), OnnxAttribute.Of("strides", 2, 2)]));
        Assert.Equal([1L, 4, 16, 16], ConvOutput(31, [OnnxAttribute.Of("auto_pad", "SAME_UPPER"), OnnxAttribute.Of("strides", 2, 2)]));
        Assert.Equal([1L, 4, 30, 30], ConvOutput(32, [OnnxAttribute.Of("auto_pad", "VALID")]));
        Assert.Equal([1L, 4, 28, 28], ConvOutput(32, [OnnxAttribute.Of("dilations", 2, 2)]));
        // asymmetric padding (begin 0, end 1) as TensorFlow-converted models carry
        Assert.Equal([1L, 4, 4, 4], ConvOutput(7, [OnnxAttribute.Of("pads", 0, 0, 1, 1), OnnxAttribute.Of("strides", 2, 2)], k: 2));
    }

    [Fact]
    public void Pools_Gemm_MatMul_Concat_Transpose_Reduce_HaveTheirOnnxShapes()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 1, 8, 7, 7);
        var floorPool = b.Node("MaxPool", [x], [OnnxAttribute.Of("kernel_shape", 2, 2), OnnxAttribute.Of("strides", 2, 2)]);
        var ceilPool = b.Node("MaxPool", [x], [OnnxAttribute.Of("kernel_shape", 2, 2), OnnxAttribute.Of("strides", 2, 2), OnnxAttribute.Of("ceil_mode", 1L)]);
        var gap = b.Node("GlobalAveragePool", [x]);
        var flat = b.Node("Flatten", [gap]);
        var gemm = b.Node("Gemm", [flat, b.Initializer("fc.w", OnnxDataType.Float, 10, 8), b.Initializer("fc.b", OnnxDataType.Float, 10)], [OnnxAttribute.Of("transB", 1L)]);
        var seq = b.Input("seq", 1, 4, 16);
        var mm = b.Node("MatMul", [seq, b.Initializer("proj", OnnxDataType.Float, 16, 6)]);
        var cat = b.Node("Concat", [x, x], [OnnxAttribute.Of("axis", 1L)]);
        var tr = b.Node("Transpose", [x], [OnnxAttribute.Of("perm", 0, 2, 3, 1)]);
        var mean = b.Node("ReduceMean", [x], [OnnxAttribute.Of("axes", 2, 3), OnnxAttribute.Of("keepdims", 0L)]);
        var soft = b.Node("Softmax", [gemm]);
        foreach (var o in new[] { floorPool, ceilPool, soft, mm, cat, tr, mean }) b.Output(o);
        var g = ShapeInference.Run(b.RoundTrip());

        Assert.Equal([1L, 8, 3, 3], g.Info(floorPool).Shape!);
        Assert.Equal([1L, 8, 4, 4], g.Info(ceilPool).Shape!);
        Assert.Equal([1L, 8, 1, 1], g.Info(gap).Shape!);
        Assert.Equal([1L, 8], g.Info(flat).Shape!);
        Assert.Equal([1L, 10], g.Info(gemm).Shape!);
        Assert.Equal([1L, 10], g.Info(soft).Shape!);
        Assert.Equal([1L, 4, 6], g.Info(mm).Shape!);
        Assert.Equal([1L, 16, 7, 7], g.Info(cat).Shape!);
        Assert.Equal([1L, 7, 7, 8], g.Info(tr).Shape!);
        Assert.Equal([1L, 8], g.Info(mean).Shape!);
        Assert.Empty(g.UnknownOps);
    }

    [Fact]
    public void ShapeArithmeticChain_FoldsToConstants_AndResolvesTheReshape()
    {
        // PyTorch's x.view(x.size(0), -1): Shape → Gather → Unsqueeze → Concat → Reshape.
        var b = new GraphBuilder();
        var x = b.Conv(b.Input("x", 1, 3, 8, 8), 3, 4, 3, pad: 1, name: "c");
        var shape = b.Node("Shape", [x]);
        var batch = b.Node("Gather", [shape, b.Scalar("index0", 0)], [OnnxAttribute.Of("axis", 0L)]);
        var unsq = b.Node("Unsqueeze", [batch, b.Int64s("axes", 0)]);
        var target = b.Node("Concat", [unsq, b.Int64s("minus_one", -1)], [OnnxAttribute.Of("axis", 0L)]);
        var y = b.Node("Reshape", [x, target], name: "flatten");
        b.Output(y);
        var p = b.Profile();

        Assert.Equal(["Conv", "Reshape"], p.Layers.Select(l => l.OpType));
        Assert.Equal([1L, 256], p.Outputs[0].Shape!);
        Assert.Empty(p.Warnings);
    }

    [Fact]
    public void UnknownOp_IsListed_AndShapesComeFromTheFileWhenDeclared()
    {
        var b = new GraphBuilder();
        var y = b.Node("FancyOp", [b.Input("x", 1, 4, 8, 8)], name: "fancy", domain: "com.example");
        var z = b.Relu(y, "after");
        b.Output(z);
        var blind = b.Profile();
        Assert.Equal(["com.example.FancyOp"], blind.UnknownOps);
        Assert.False(blind.Layers.Single(l => l.Name == "after").MaccKnown);
        Assert.Contains(blind.Warnings, w => w.Contains("after"));

        b.Declare(y, OnnxDataType.Float, 1, 4, 8, 8);
        var declared = b.Profile();
        var relu = declared.Layers.Single(l => l.Name == "after");
        Assert.True(relu.MaccKnown);
        Assert.Equal(256, relu.Macc);
        Assert.Equal([1L, 4, 8, 8], declared.Outputs[0].Shape!);
    }

    [Fact]
    public void DynamicSpatialInput_NeedsAShape_AndTakesOneFromOptions()
    {
        var model = new GraphBuilder();
        var x = "img";
        var conv = model.Conv(x, 3, 8, 3, pad: 1, name: "c");
        model.Output(conv);
        var built = model.Build();
        built = built with
        {
            Graph = built.Graph with { Inputs = [new OnnxValueInfo(x, OnnxDataType.Float, [new OnnxDim(null, "N"), new OnnxDim(3, null), new OnnxDim(null, "H"), new OnnxDim(null, "W")])] },
        };
        var bytes = built.ToBytes();
        var unknown = ModelProfiler.Profile(OnnxModel.Parse(bytes));
        Assert.Contains(unknown.Warnings, w => w.Contains("dynamic dimension 2") && w.Contains("--input-shape"));
        Assert.Equal(0, unknown.Macc);

        var given = ModelProfiler.Profile(OnnxModel.Parse(bytes), new ProfileOptions { InputShapes = new Dictionary<string, long[]> { [x] = [1, 3, 16, 16] } });
        Assert.Equal(8L * 16 * 16 * 3 * 9, given.Macc);
    }
}
