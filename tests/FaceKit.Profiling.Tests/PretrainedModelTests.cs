using FaceKit.Profiling.Latency;
using FaceKit.Onnx;
using FaceKit.Profiling.Targets;
using FaceKit.Testing;

namespace FaceKit.Profiling.Tests;

/// <summary>
/// The installed pretrained models parse and give plausible totals. Bounds are generous on purpose: they catch a
/// unit slip (×1000), a lost layer family or a broken shape chain, not a change of rounding.
/// </summary>
public class PretrainedModelTests
{
    private static string Model(string file) => Path.Combine(TestModels.Directory, file);

    /// <summary>The model with its declared output shapes removed, so the outputs must come from inference itself.</summary>
    private static ModelProfile ProfileBlind(string file, ProfileOptions? options = null)
    {
        var model = OnnxModel.Load(Model(file));
        model = model with { Graph = model.Graph with { Outputs = model.Graph.Outputs.Select(o => o with { Shape = null }).ToList() } };
        return ModelProfiler.Profile(model, (options ?? new ProfileOptions()) with { Label = file });
    }

    private static long FloatInitializerElements(string file) =>
        OnnxModel.Load(Model(file)).Graph.Initializers.Where(t => t.DataType == OnnxDataType.Float).Sum(t => t.ElementCount);

    private static void AssertFullyAnalysed(ModelProfile p)
    {
        Assert.Empty(p.UnknownOps);
        Assert.Empty(p.Warnings);
        Assert.All(p.Layers, l => Assert.True(l.MaccKnown, $"{l.OpType} {l.Name}"));
    }

    [RealModelFact]
    public void Embedder_IsAMobileFaceNetSizedNetwork()
    {
        var p = ProfileBlind("fr_feature.onnx");
        AssertFullyAnalysed(p);
        Assert.Equal([1L, 512], p.Outputs[0].Shape!);
        // MobileFaceNet at 112×112 is ~221 M MAdds and ~1 M params in its paper (Chen et al. 2018); this one has a
        // 512-d head. Measured: 224.3 M MACC, 1,190,336 params.
        Assert.InRange(p.Macc, 150_000_000, 400_000_000);
        Assert.InRange(p.Params, 900_000, 2_000_000);
        // every float initializer of this export is a weight, bias or PReLU slope
        Assert.Equal(FloatInitializerElements("fr_feature.onnx"), p.Params);
        Assert.Equal(p.Params * 4, p.Weights.Fp32);
        Assert.InRange(p.Memory.ActivationPeakBytes, 1 << 20, 8 << 20); // 64×56×56 fp32 maps are 784 KiB each
    }

    [RealModelFact]
    public void Embedder_OnStm32n6_LosesOnlyItsGlobal7x7DepthwiseConv()
    {
        var p = ProfileBlind("fr_feature.onnx", new ProfileOptions { Target = TargetProfile.Builtin("stm32n6-npu"), AssumeInt8 = true });
        var fallback = Assert.Single(p.Target!.Fallbacks);
        Assert.Equal(("Conv", "conv-kernel-height"), (fallback.OpType, fallback.Rule));
        var layer = p.Layers[fallback.Index];
        Assert.Equal("7×7 dw", layer.Kernel);
        Assert.Equal(2, p.Target.Transitions);
        Assert.True(p.Target.MaccRate > 0.99);
    }

    [RealModelFact]
    public void Detector_ResolvesItsShapeChains_AndGivesUltraFaceTotals()
    {
        var p = ProfileBlind("fr_detect.onnx");
        AssertFullyAnalysed(p);
        Assert.Equal([[1L, 4420, 2], [1L, 4420, 4]], p.Outputs.Select(o => o.Shape!).ToArray());
        // Shape/Gather/Unsqueeze/Concat chains that feed Reshape fold away before scheduling
        Assert.DoesNotContain(p.Layers, l => l.OpType is "Shape" or "Gather" or "Unsqueeze" or "Constant");
        // UltraFace-slim 320×240 is ~0.3 M params in its repository; measured 103.7 M MACC, 300,413 params.
        Assert.InRange(p.Macc, 50_000_000, 300_000_000);
        Assert.InRange(p.Params, 200_000, 1_500_000);
    }

    [RealModelFact]
    public void Landmarker_GivesSmallNetworkTotals()
    {
        var p = ProfileBlind("fr_landmark.onnx");
        AssertFullyAnalysed(p);
        Assert.Equal([1L, 136], p.Outputs[0].Shape!);
        // a 64×64 grey-scale 68-point regressor: measured 16.0 M MACC, 288,808 params
        Assert.InRange(p.Macc, 5_000_000, 100_000_000);
        Assert.InRange(p.Params, 100_000, 2_000_000);
        Assert.Equal(FloatInitializerElements("fr_landmark.onnx"), p.Params);
    }

    [RealModelFact]
    public void Embedder_LatencyIsMeasured()
    {
        var r = LatencyBench.Measure(Model("fr_feature.onnx"), new LatencyOptions { Runs = 5, Warmup = 1, Threads = 1 });
        Assert.InRange(r.MedianMs, 0.01, 5_000);
        Assert.True(r.P95Ms >= r.MedianMs);
    }
}
