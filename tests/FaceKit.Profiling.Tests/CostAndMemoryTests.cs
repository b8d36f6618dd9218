using FaceKit.Onnx;

namespace FaceKit.Profiling.Tests;

/// <summary>Figures computed on paper for hand-built graphs; every expected number is derived in the test.</summary>
public class CostAndMemoryTests
{
    [Fact]
    public void SingleConv_HasExactMaccParamsWeightsAndMemory()
    {
        var b = new GraphBuilder();
        var y = b.Conv(b.Input("x", 1, 3, 32, 32), cin: 3, cout: 8, k: 3, pad: 1, name: "conv");
        b.Output(b.Relu(y, "relu"));
        var p = b.Profile();

        long conv = 1L * 8 * 32 * 32 * 3 * 3 * 3, relu = 8 * 32 * 32;
        Assert.Equal(conv, p.Layers.Single(l => l.Name == "conv").Macc);
        Assert.Equal(conv + relu, p.Macc);
        long parameters = 8 * 3 * 3 * 3 + 8;
        Assert.Equal(parameters, p.Params);
        Assert.Equal(new WeightBytes(parameters * 4, parameters * 2, 8 * 27 + 8 * 4, false, parameters * 4), p.Weights);

        // The conv output is the only intermediate tensor; the Relu writes the graph output (its own buffer).
        long activation = 8 * 32 * 32 * 4;
        Assert.Equal(activation, p.Memory.ActivationPeakBytes);
        Assert.Equal("conv", p.Memory.PeakLayer);
        long input = 3 * 32 * 32 * 4, output = activation;
        Assert.Equal(activation + input + output, p.Memory.RamBytes);
        Assert.Equal(parameters * 4 + 2 * 512, p.Memory.FlashBytes);
    }

    private static (GraphBuilder Builder, long TensorBytes) Block(bool residual)
    {
        var b = new GraphBuilder();
        var stem = b.Conv(b.Input("x", 1, 8, 16, 16), 8, 8, 3, pad: 1, name: "stem");
        var c1 = b.Conv(stem, 8, 8, 3, pad: 1, name: "conv1");
        var r1 = b.Relu(c1, "relu1");
        var c2 = b.Conv(r1, 8, 8, 3, pad: 1, name: "conv2");
        var sum = residual ? b.Node("Add", [c2, stem], name: "add") : c2;
        b.Output(b.Relu(sum, "out"));
        return (b, 8 * 16 * 16 * 4);
    }

    [Fact]
    public void ResidualBlock_KeepsTheSkipTensorLive_ThroughTheBranch()
    {
        var (residual, s) = Block(residual: true);
        var p = residual.Profile();
        // While conv2 runs: the stem output (held for the Add), conv1's buffer (relu1 wrote in place), conv2's output.
        Assert.Equal(3 * s, p.Memory.ActivationPeakBytes);
        Assert.Equal("conv2", p.Memory.PeakLayer);
        var layers = p.Layers.ToDictionary(l => l.Name);
        Assert.True(layers["relu1"].InPlace);
        Assert.True(layers["add"].InPlace);
        Assert.Equal(2 * s, layers["add"].LiveBytes);
        Assert.False(layers["out"].InPlace); // it writes the graph output

        var (chain, _) = Block(residual: false);
        Assert.Equal(2 * s, chain.Profile().Memory.ActivationPeakBytes);
    }

    [Fact]
    public void DepthwiseAndGroupedConvs_CountOnlyTheirGroupsChannels()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 1, 16, 16, 16);
        b.Output(b.Conv(x, 16, 16, 3, pad: 1, group: 16, bias: false, name: "depthwise"));
        b.Output(b.Conv(x, 16, 16, 3, pad: 1, group: 4, bias: false, name: "grouped"));
        b.Output(b.Conv(x, 16, 16, 3, pad: 1, bias: false, name: "dense"));
        var layers = b.Profile().Layers.ToDictionary(l => l.Name);

        long outputs = 16 * 16 * 16;
        Assert.Equal(outputs * 1 * 9, layers["depthwise"].Macc);
        Assert.Equal(outputs * 4 * 9, layers["grouped"].Macc);
        Assert.Equal(outputs * 16 * 9, layers["dense"].Macc);
        Assert.Equal(16 * 1 * 9, layers["depthwise"].Params);
        Assert.Equal(16 * 4 * 9, layers["grouped"].Params);
        Assert.Equal("3×3 dw", layers["depthwise"].Kernel);
        Assert.Equal("3×3 g4", layers["grouped"].Kernel);
    }

    [Fact]
    public void GemmMatMulPoolAndSoftmax_FollowTheStatedFormulas()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 1, 8, 8, 8);
        var pool = b.Node("MaxPool", [x], [OnnxAttribute.Of("kernel_shape", 2, 2), OnnxAttribute.Of("strides", 2, 2)], "pool");
        var gap = b.Node("GlobalAveragePool", [pool], name: "gap");
        var flat = b.Node("Flatten", [gap], name: "flat");
        var fc = b.Node("Gemm", [flat, b.Initializer("fc.w", OnnxDataType.Float, 10, 8), b.Initializer("fc.b", OnnxDataType.Float, 10)],
            [OnnxAttribute.Of("transB", 1L)], "fc");
        b.Output(b.Node("Softmax", [fc], name: "softmax"));
        var mm = b.Node("MatMul", [b.Input("seq", 1, 4, 16), b.Initializer("proj", OnnxDataType.Float, 16, 6)], name: "matmul");
        b.Output(mm);
        var layers = b.Profile().Layers.ToDictionary(l => l.Name);

        Assert.Equal(8 * 4 * 4 * 4, layers["pool"].Macc);
        Assert.Equal(8 * 4 * 4, layers["gap"].Macc);
        Assert.Equal(0, layers["flat"].Macc);
        Assert.Equal(10 * 8, layers["fc"].Macc);
        Assert.Equal(10 * 8 + 10, layers["fc"].Params);
        Assert.Equal(3 * 10, layers["softmax"].Macc);
        Assert.Equal(4 * 6 * 16, layers["matmul"].Macc);
    }

    [Fact]
    public void SharedInitializer_CountsOnce()
    {
        var b = new GraphBuilder();
        var w = b.Initializer("shared.w", OnnxDataType.Float, 4, 4, 1, 1);
        var x = b.Input("x", 1, 4, 8, 8);
        var a = b.Node("Conv", [x, w], name: "a");
        b.Output(b.Node("Conv", [a, w], name: "b"));
        var p = b.Profile();
        Assert.Equal(16, p.Params);
        Assert.Equal(16, p.Layers[0].Params);
        Assert.Equal(0, p.Layers[1].Params);
    }
}
