using FaceKit.Core.Errors;
using FaceKit.Onnx;
using FaceKit.Profiling.Targets;
using FaceKit.Testing;

namespace FaceKit.Profiling.Tests;

public class TargetTests
{
    private static readonly TargetProfile Npu = TargetProfile.Builtin("stm32n6-npu")!;
    private static readonly ProfileOptions OnNpu = new() { Target = Npu, AssumeInt8 = true };

    /// <summary>A global depthwise conv (MobileFaceNet's GDConv) over a k×k map.</summary>
    private static ModelProfile DepthwiseOn(long k)
    {
        var b = new GraphBuilder();
        b.Output(b.Conv(b.Input("x", 1, 64, k, k), 64, 64, k, group: 64, name: $"dw{k}x{k}"));
        return b.Profile(OnNpu);
    }

    [Fact]
    public void Stm32n6_Rejects7x7Depthwise_AndAccepts3x3()
    {
        var big = DepthwiseOn(7);
        var fallback = Assert.Single(big.Target!.Fallbacks);
        Assert.Equal(("dw7x7", "conv-kernel-height"), (fallback.Node, fallback.Rule));
        Assert.Equal("kernel height 7 > 3", fallback.Reason);
        Assert.Equal(0.0, big.Target.NodeRate);

        var small = DepthwiseOn(3);
        Assert.Empty(small.Target!.Fallbacks);
        Assert.Equal(1.0, small.Target.NodeRate);
        Assert.Equal(1.0, small.Target.MaccRate);
    }

    [Fact]
    public void OffloadRates_AndTransitions_CountNodesAndMacc()
    {
        var b = new GraphBuilder();
        var a = b.Conv(b.Input("x", 1, 8, 7, 7), 8, 8, 3, pad: 1, bias: false, name: "a");
        var dw = b.Conv(a, 8, 8, 7, pad: 3, group: 8, bias: false, name: "dw");
        b.Output(b.Conv(dw, 8, 8, 3, pad: 1, bias: false, name: "c"));
        var t = b.Profile(OnNpu).Target!;

        long conv = 8 * 49 * 8 * 9, depthwise = 8 * 49 * 49;
        Assert.Equal((3, 2), (t.Nodes, t.AcceleratedNodes));
        Assert.Equal(2.0 / 3, t.NodeRate, 9);
        Assert.Equal((double)(2 * conv) / (2 * conv + depthwise), t.MaccRate, 9);
        Assert.Equal(2, t.Transitions); // NPU → CPU → NPU
    }

    [Fact]
    public void BatchNorm_RunsOnTheNpuOnlyWhenItCanBeFolded()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 1, 4, 8, 8);
        string Bn(string input, string name) => b.Node("BatchNormalization",
            [input, .. new[] { "scale", "bias", "mean", "var" }.Select(p => b.Initializer($"{name}.{p}", OnnxDataType.Float, 4))], name: name);
        var folded = Bn(b.Conv(x, 4, 4, 1, name: "conv"), "bn_after_conv");
        b.Output(Bn(b.Relu(folded, "relu"), "bn_after_relu"));
        var t = b.Profile(OnNpu).Target!;
        var fallback = Assert.Single(t.Fallbacks);
        Assert.Equal(("bn_after_relu", "batchnorm-folded-only"), (fallback.Node, fallback.Rule));
    }

    [Fact]
    public void GlobalPool_FallsBackAboveA3x3Window()
    {
        ModelProfile Gap(long size)
        {
            var b = new GraphBuilder();
            b.Output(b.Node("GlobalAveragePool", [b.Input("x", 1, 8, size, size)], name: "gap"));
            return b.Profile(OnNpu);
        }
        Assert.Equal("global-pool-window", Assert.Single(Gap(7).Target!.Fallbacks).Rule);
        Assert.Empty(Gap(3).Target!.Fallbacks);
    }

    [Fact]
    public void Softmax_RunsInSoftware_OnTheNpuTarget_ButOnTensorRtAndCpu()
    {
        var b = new GraphBuilder();
        b.Output(b.Node("Softmax", [b.Input("x", 1, 10)], name: "softmax"));
        Assert.Equal("software-only-ops", Assert.Single(b.Profile(OnNpu).Target!.Fallbacks).Rule);
        Assert.Empty(b.Profile(new ProfileOptions { Target = TargetProfile.Builtin("jetson-tensorrt") }).Target!.Fallbacks);
        Assert.Empty(b.Profile(new ProfileOptions { Target = TargetProfile.Builtin("cpu") }).Target!.Fallbacks);
    }

    [Fact]
    public void TensorRt_RejectsMaxPoolWhoseIndicesAreUsed()
    {
        var b = new GraphBuilder();
        var pool = b.Node("MaxPool", [b.Input("x", 1, 4, 8, 8)], [OnnxAttribute.Of("kernel_shape", 2, 2)], "pool", outputs: 2);
        b.Output(pool);
        b.Output("pool_out1", OnnxDataType.Int64);
        var t = b.Profile(new ProfileOptions { Target = TargetProfile.Builtin("jetson-tensorrt") }).Target!;
        Assert.Equal("maxpool-no-indices", Assert.Single(t.Fallbacks).Rule);
    }

    [Fact]
    public void KernelWidthLimit_CanDependOnStride()
    {
        var profile = TargetProfile.Parse("""
            { "name": "strided", "supported_ops": ["Conv"], "supported_ops_source": "test",
              "rules": [ { "id": "width", "ops": ["Conv"], "kind": "max_kernel", "max_w_by_stride": { "1": 3, "2": 5 }, "source": "test" } ] }
            """);
        ModelProfile Conv(long stride)
        {
            var b = new GraphBuilder();
            var w = b.Initializer("w", OnnxDataType.Float, 4, 4, 1, 5);
            b.Output(b.Node("Conv", [b.Input("x", 1, 4, 8, 16), w], [OnnxAttribute.Of("strides", 1, stride)], "conv"));
            return b.Profile(new ProfileOptions { Target = profile });
        }
        Assert.Equal("kernel width 5 > 3 at stride 1", Assert.Single(Conv(1).Target!.Fallbacks).Reason);
        Assert.Empty(Conv(2).Target!.Fallbacks);
    }

    [Fact]
    public void BuiltinProfiles_Load_AndEveryRuleNamesItsSource()
    {
        Assert.Equal(["cpu", "jetson-tensorrt", "stm32n6-npu"], TargetProfile.BuiltinNames);
        foreach (var name in TargetProfile.BuiltinNames)
        {
            var profile = TargetProfile.Builtin(name)!;
            Assert.Equal(name, profile.Name);
            Assert.False(string.IsNullOrWhiteSpace(profile.SupportedOpsSource), name);
            Assert.False(string.IsNullOrWhiteSpace(profile.FlashBytesPerOpSource), name);
            Assert.All(profile.Rules, r => Assert.False(string.IsNullOrWhiteSpace(r.Source)));
        }
    }

    [Fact]
    public void ProfileFile_IsResolvedByPath_AndMistakesAreBadInput()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("mine.json"), """{ "name": "mine", "supported_ops": ["Relu"], "supported_ops_source": "me" }""");
        Assert.Equal("mine", TargetProfile.Resolve(dir.File("mine.json")).Name);

        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => TargetProfile.Resolve("no-such-target")).Code);
        Assert.Throws<FaceKitException>(() => TargetProfile.Parse("""{ "name": "x", "rules": [ { "id": "r", "kind": "max_speed", "source": "s" } ] }"""));
        Assert.Throws<FaceKitException>(() => TargetProfile.Parse("""{ "name": "x", "rules": [ { "id": "r", "kind": "max_stride", "source": "s" } ] }"""));
        Assert.Throws<FaceKitException>(() => TargetProfile.Parse("""{ "name": "x", "rules": [ { "id": "r", "kind": "unsupported", "source": "" } ] }"""));
        Assert.Throws<FaceKitException>(() => TargetProfile.Parse("""{ "name": "x", "suported_ops": ["Conv"] }"""));
    }
}
