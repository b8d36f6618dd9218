using FaceKit.Onnx;
using FaceKit.Profiling.Targets;

namespace FaceKit.Profiling.Tests;

public class QdqTests
{
    /// <summary>
    /// A QDQ conv as ONNX Runtime's quantiser writes it: int8 activations through Q/DQ pairs, per-channel int8
    /// weights, int32 bias, float scales.
    /// </summary>
    private static GraphBuilder QdqConv(bool quantised = true)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 1, 4, 8, 8);
        var s = b.Initializer("x.scale", OnnxDataType.Float);
        var zp = b.Initializer("x.zp", OnnxDataType.Int8);
        var q = b.Node("QuantizeLinear", [x, s, zp], name: "q_in");
        var dq = b.Node("DequantizeLinear", [q, s, zp], name: "dq_in");
        string w, bias;
        if (quantised)
        {
            w = b.Node("DequantizeLinear", [b.Initializer("w.int8", OnnxDataType.Int8, 8, 4, 3, 3), b.Initializer("w.scale", OnnxDataType.Float, 8),
                b.Initializer("w.zp", OnnxDataType.Int8, 8)], [OnnxAttribute.Of("axis", 0L)], "dq_w");
            bias = b.Node("DequantizeLinear", [b.Initializer("b.int32", OnnxDataType.Int32, 8), b.Initializer("b.scale", OnnxDataType.Float, 8)], name: "dq_b");
        }
        else
        {
            w = b.Initializer("w", OnnxDataType.Float, 8, 4, 3, 3);
            bias = b.Initializer("b", OnnxDataType.Float, 8);
        }
        var conv = b.Node("Conv", [dq, w, bias], [OnnxAttribute.Of("kernel_shape", 3, 3), OnnxAttribute.Of("pads", 1, 1, 1, 1)], "conv");
        var s2 = b.Initializer("y.scale", OnnxDataType.Float);
        var zp2 = b.Initializer("y.zp", OnnxDataType.Int8);
        var q2 = b.Node("QuantizeLinear", [conv, s2, zp2], name: "q_out");
        b.Output(b.Node("DequantizeLinear", [q2, s2, zp2], name: "dq_out"));
        return b;
    }

    [Fact]
    public void QdqModel_ReportsInt8WeightBytes_FromItsRealInitializers()
    {
        var p = QdqConv().Profile();
        Assert.True(p.Quantized);
        long parameters = 8 * 4 * 9 + 8;
        Assert.Equal(parameters, p.Params);
        Assert.True(p.Weights.Int8FromModel);
        // int8 weights + int32 bias + per-channel float scales and int8 zero points + the activations' scale and zero point pairs
        long int8 = 8 * 4 * 9 * 1 + 8 * 4 + 8 * 4 + 8 * 1 + 8 * 4 + 2 * (4 + 1);
        Assert.Equal(int8, p.Weights.Int8);
        Assert.Equal(parameters * 4, p.Weights.Fp32);
        // the weight DequantizeLinear nodes fold into constants; the activation Q/DQ are scheduled but not counted
        Assert.DoesNotContain(p.Layers, l => l.Name is "dq_w" or "dq_b");
        Assert.Equal(1, p.CountedNodes);
        Assert.Equal(8 * 64 * 36, p.Macc);
    }

    [Fact]
    public void QdqConv_RunsOnTheNpu_AndItsFloatTwinFallsBack()
    {
        var npu = TargetProfile.Builtin("stm32n6-npu")!;
        var quantised = QdqConv().Profile(new ProfileOptions { Target = npu });
        Assert.Equal(1.0, quantised.Target!.NodeRate);
        Assert.Empty(quantised.Target.Fallbacks);
        // int8 activations: the conv output is 8×8×8 bytes and the Q/DQ views share its buffer
        Assert.Equal(8 * 8 * 8, quantised.Memory.ActivationPeakBytes);

        var floating = QdqConv(quantised: false).Profile(new ProfileOptions { Target = npu });
        var fallback = Assert.Single(floating.Target!.Fallbacks);
        Assert.Equal(("conv", "int8-only"), (fallback.Node, fallback.Rule));
        Assert.Contains("Neural-ART", fallback.Source);
        Assert.False(floating.Quantized);
    }
}
