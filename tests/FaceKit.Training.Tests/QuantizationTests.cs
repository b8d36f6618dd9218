using System.Runtime.InteropServices;
using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Inference;
using FaceKit.Inference.Embedders;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Models;
using FaceKit.Onnx;
using FaceKit.Testing;
using FaceKit.Training.Quantization;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace FaceKit.Training.Tests;

/// <summary>
/// INT8 post-training quantisation: the QDQ rewrite checked value by value on graphs small enough to work out by hand,
/// then the real default embedder quantised on real faces and compared with its fp32 self on other people's faces.
/// </summary>
public class QuantizationTests(ITestOutputHelper output)
{
    // Output channel 0: max|w| = 1.27 → scale 0.01; channel 1: max|w| = 0.635 → scale 0.005.
    private static readonly float[] Weights = [0.5f, -1.27f, 0.3f, 0f, 0.2f, 0.1f, -0.05f, 0.635f];
    private static readonly float[] Bias = [0.1f, -0.2f];

    /// <summary>y = Conv(x, W[2,1,2,2], b): an 8×8 grey image in, 2×7×7 out.</summary>
    private static OnnxModel TinyConv(long opset = 13) => new()
    {
        Opsets = [new OnnxOpset("", opset)],
        Graph = new OnnxGraph
        {
            Name = "tiny-conv",
            Inputs = [OnnxValueInfo.Fixed("x", OnnxDataType.Float, 1, 1, 8, 8)],
            Outputs = [OnnxValueInfo.Fixed("y", OnnxDataType.Float, 1, 2, 7, 7)],
            Initializers = [OnnxTensor.FromFloats("w", [2, 1, 2, 2], Weights), OnnxTensor.FromFloats("b", [2], Bias)],
            Nodes = [new OnnxNode { Name = "conv", OpType = "Conv", Inputs = ["x", "w", "b"], Outputs = ["y"], Attributes = [OnnxAttribute.Of("kernel_shape", 2, 2)] }],
        },
    };

    private static OnnxTensor Initializer(OnnxModel m, string name) => m.Graph.Initializers.Single(t => t.Name == name);

    private static sbyte[] Int8(OnnxTensor t) => MemoryMarshal.Cast<byte, sbyte>(t.RawData.Span).ToArray();

    private static int[] Int32(OnnxTensor t) => MemoryMarshal.Cast<byte, int>(t.RawData.Span).ToArray();

    [Fact]
    public void Conv_WeightsBecomePerChannelInt8_WithTheScalesWorkedOutByHand()
    {
        var ranges = new Dictionary<string, TensorRange> { ["x"] = new(-0.5f, 2f), ["y"] = new(-3f, 2f) };

        var (q, summary) = QdqQuantizer.Quantize(TinyConv(), ranges, new QuantizationOptions { ReducedRange = ReducedRange.None });

        // weights: q = round(w / (max|w_c| / 127)), zero point 0, DequantizeLinear along the output channels
        Assert.Equal([50, -127, 30, 0, 40, 20, -10, 127], Int8(Initializer(q, "w_quantized")));
        Assert.Equal([1.27f / 127f, 0.635f / 127f], QdqQuantizer.Floats(Initializer(q, "w_scale")));
        Assert.Equal(OnnxDataType.Int8, Initializer(q, "w_zero_point").DataType);
        Assert.Equal([0, 0], Int8(Initializer(q, "w_zero_point")));
        var dqW = q.Graph.Nodes.Single(n => n.OpType == "DequantizeLinear" && n.Inputs[0] == "w_quantized");
        Assert.Equal(0, dqW.Int("axis", -1));
        // activations, uint8 asymmetric: x in [−0.5, 2] → scale 2.5/255, zero point 0.5/scale = 51; y in [−3, 2] → 5/255, 153
        float xScale = 2.5f / 255f;
        Assert.Equal([xScale], QdqQuantizer.Floats(Initializer(q, "x_scale")));
        Assert.Equal([(byte)51], Initializer(q, "x_zero_point").RawData.ToArray());
        Assert.Equal([5f / 255f], QdqQuantizer.Floats(Initializer(q, "y_scale")));
        Assert.Equal([(byte)153], Initializer(q, "y_zero_point").RawData.ToArray());
        // bias int32 at input scale × weight scale: 0.1 / (2.5/255 · 0.01) = 1020, −0.2 / (2.5/255 · 0.005) = −4080
        Assert.Equal([1020, -4080], Int32(Initializer(q, "b_quantized")));
        Assert.Equal([xScale * (1.27f / 127f), xScale * (0.635f / 127f)], QdqQuantizer.Floats(Initializer(q, "b_scale")));
        // the fp32 weight and bias are gone; the conv reads DequantizeLinear outputs; the graph output keeps its name
        Assert.DoesNotContain(q.Graph.Initializers, t => t.Name is "w" or "b");
        var conv = q.Graph.Nodes.Single(n => n.OpType == "Conv");
        Assert.Equal(["x_dequantized", "w_dequantized", "b_dequantized"], conv.Inputs);
        Assert.Equal("y", q.Graph.Nodes.Single(n => n.OpType == "DequantizeLinear" && n.Inputs[0] == "y_quantized").Outputs[0]);
        Assert.Equal(13, q.DefaultOpset);
        Assert.Equal((1, 2, 8L * 4 + 2 * 4), (summary.QuantizedNodes, summary.QdqTensors, summary.FloatWeightBytes));
        Assert.Equal(8 + 2 * 5 + 2 * 8, summary.QuantizedWeightBytes); // int8 weights, scale + zero point per channel, int32 bias + its scale
    }

    [Fact]
    public void ReducedRange_StoresTheLayerReadingTheImageInSevenBits()
    {
        var ranges = new Dictionary<string, TensorRange> { ["x"] = new(-1f, 1f), ["y"] = new(-3f, 2f) };

        var (q, _) = QdqQuantizer.Quantize(TinyConv(), ranges, new QuantizationOptions { ReducedRange = ReducedRange.Input });

        Assert.Equal([1.27f / 63f, 0.635f / 63f], QdqQuantizer.Floats(Initializer(q, "w_scale")));
        Assert.Equal(63, Int8(Initializer(q, "w_quantized")).Max(v => Math.Abs((int)v)));
    }

    [Fact]
    public void Int8Activations_AreSymmetric_OrShiftedAsymmetric()
    {
        Assert.Equal((3f / 127f, 0), QdqQuantizer.ActivationParameters(new TensorRange(-3f, 2f), ActivationType.Int8));
        Assert.Equal((5f / 255f, 153 - 128), QdqQuantizer.ActivationParameters(new TensorRange(-3f, 2f), ActivationType.Int8Asymmetric));
        // a range that does not contain 0 is widened to it, so zero padding stays exact
        Assert.Equal((2f / 255f, 0), QdqQuantizer.ActivationParameters(new TensorRange(0.5f, 2f), ActivationType.UInt8));
    }

    /// <summary>16 random 8×8 grey images, normalised (p − 127.5) / 127.5.</summary>
    private static (List<ImageBuffer> Faces, InputPreprocessing Input) GreyImages()
    {
        var rng = new Random(7);
        var faces = new List<ImageBuffer>();
        for (int i = 0; i < 16; i++)
        {
            var pixels = new byte[64];
            rng.NextBytes(pixels);
            faces.Add(new ImageBuffer(8, 8, PixelFormat.Gray8, pixels));
        }
        return (faces, InputPreprocessing.Create(8, "NCHW", "GRAY", 127.5f, 127.5f));
    }

    private static float[][] RunAll(byte[] model, IReadOnlyList<ImageBuffer> faces, InputPreprocessing input)
    {
        using var session = new InferenceSession(model);
        return faces.Select(f =>
        {
            var x = new float[input.Elements];
            input.Fill(f, x);
            using var value = OrtValue.CreateTensorValueFromMemory(x, [1, 1, 8, 8]);
            using var results = session.Run(new RunOptions(), ["x"], [value], [session.OutputNames[0]]);
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }).ToArray();
    }

    [Fact]
    public void Calibration_MeasuresTheRangesOnline_AndTheInt8ConvAgreesWithFp32InOnnxRuntime()
    {
        var (faces, input) = GreyImages();
        var model = TinyConv();
        var plan = QdqQuantizer.Plan(model);
        Assert.Equal(["x", "y"], plan.Tensors);

        var ranges = ActivationCalibrator.Measure(model, plan.Tensors, faces, input, new QuantizationOptions { Method = CalibrationMethod.MinMax });

        var fp32 = RunAll(model.ToBytes(), faces, input);
        float scale = 1f / 127.5f;
        Assert.Equal((faces.Min(f => f.Pixels.ToArray().Min()) - 127.5f) * scale, ranges["x"].Min);
        Assert.Equal((faces.Max(f => f.Pixels.ToArray().Max()) - 127.5f) * scale, ranges["x"].Max);
        Assert.Equal(fp32.Min(y => y.Min()), ranges["y"].Min);
        Assert.Equal(fp32.Max(y => y.Max()), ranges["y"].Max);

        var (q, _) = QdqQuantizer.Quantize(model, ranges);
        var int8 = RunAll(q.ToBytes(), faces, input);

        // Worst case of the three roundings: the input (half a step times Σ|w|), the 7-bit weights (half a step
        // times Σ|x|), the output (half a step), plus the bias's own rounding.
        var (sx, _) = QdqQuantizer.ActivationParameters(ranges["x"], ActivationType.UInt8);
        var (sy, _) = QdqQuantizer.ActivationParameters(ranges["y"], ActivationType.UInt8);
        float xMax = Math.Max(-ranges["x"].Min, ranges["x"].Max);
        double bound = new[] { 0, 1 }.Max(c =>
        {
            var w = Weights.Skip(4 * c).Take(4).ToArray();
            float sw = w.Max(Math.Abs) / 63f;
            return w.Sum(Math.Abs) * sx / 2 + 4 * xMax * sw / 2 + 4 * (sx / 2) * (sw / 2) + sx * sw / 2 + sy / 2;
        });
        double worst = fp32.Zip(int8, (a, b) => a.Zip(b, (p, r) => Math.Abs(p - r)).Max()).Max();
        output.WriteLine($"max |fp32 − int8| = {worst:F5}, bound {bound:F5}, output step {sy:F5}");
        Assert.True(worst <= bound, $"max |fp32 − int8| = {worst} above the rounding bound {bound}");
        Assert.True(worst > 0, "the int8 model gave exactly the fp32 values: is it quantised at all?");
    }

    [Fact]
    public void Opset9Model_IsMovedTo13_WithSqueezeAxesAsInputsAndDropoutGone()
    {
        var (faces, input) = GreyImages();
        var old = TinyConv(opset: 9) with { IrVersion = 4 };
        old = old with
        {
            Graph = old.Graph with
            {
                Nodes =
                [
                    old.Graph.Nodes[0] with { Outputs = ["c"] },
                    new OnnxNode { Name = "drop", OpType = "Dropout", Inputs = ["c"], Outputs = ["d"], Attributes = [OnnxAttribute.Of("ratio", 0.5f)] },
                    new OnnxNode { Name = "unsq", OpType = "Unsqueeze", Inputs = ["d"], Outputs = ["u"], Attributes = [OnnxAttribute.Of("axes", new long[] { 0 })] },
                    new OnnxNode { Name = "sq", OpType = "Squeeze", Inputs = ["u"], Outputs = ["y"], Attributes = [OnnxAttribute.Of("axes", new long[] { 0 })] },
                ],
            },
        };
        var ranges = ActivationCalibrator.Measure(old, QdqQuantizer.Plan(old).Tensors, faces, input);

        var (q, summary) = QdqQuantizer.Quantize(old, ranges);

        Assert.Equal((9L, 13L), (summary.OpsetBefore, summary.OpsetAfter));
        Assert.True(q.IrVersion >= 7);
        Assert.DoesNotContain(q.Graph.Nodes, n => n.OpType == "Dropout");
        var unsqueeze = q.Graph.Nodes.Single(n => n.OpType == "Unsqueeze");
        Assert.Empty(unsqueeze.Attributes);
        Assert.Equal([0L], Initializer(q, unsqueeze.Inputs[1]).ToInt64Array());
        var fp32 = RunAll(old.ToBytes(), faces, input);
        var int8 = RunAll(q.ToBytes(), faces, input);
        Assert.True(fp32.Zip(int8, (a, b) => a.Zip(b, (p, r) => Math.Abs(p - r)).Max()).Max() < 0.1);
    }

    [Fact]
    public void MatMulAndGemm_WeightsArePerOutputColumn_AndExcludedNodesStayFloat()
    {
        // h = x·W (W [4,3]: output channels are columns, axis 1); y = Gemm(h, B, C, transB=1) (B [2,3]: rows, axis 0)
        float[] w = [1, -2, 0.5f, 0.25f, 1, -1, 0, 0.5f, 2, -1, 0, 1];
        float[] b = [0.3f, -0.6f, 0.9f, 1.2f, 0, -0.4f];
        var model = new OnnxModel
        {
            Graph = new OnnxGraph
            {
                Inputs = [OnnxValueInfo.Fixed("x", OnnxDataType.Float, 1, 4)],
                Outputs = [OnnxValueInfo.Fixed("y", OnnxDataType.Float, 1, 2)],
                Initializers = [OnnxTensor.FromFloats("W", [4, 3], w), OnnxTensor.FromFloats("B", [2, 3], b), OnnxTensor.FromFloats("C", [2], [0.5f, -0.5f])],
                Nodes =
                [
                    new OnnxNode { Name = "mm", OpType = "MatMul", Inputs = ["x", "W"], Outputs = ["h"] },
                    new OnnxNode { Name = "fc", OpType = "Gemm", Inputs = ["h", "B", "C"], Outputs = ["y"], Attributes = [OnnxAttribute.Of("transB", 1L)] },
                ],
            },
        };
        var ranges = new Dictionary<string, TensorRange> { ["x"] = new(-1, 1), ["h"] = new(-4, 4), ["y"] = new(-6, 6) };

        var (q, _) = QdqQuantizer.Quantize(model, ranges, new QuantizationOptions { ReducedRange = ReducedRange.None });

        Assert.Equal([1f / 127f, 2f / 127f, 2f / 127f], QdqQuantizer.Floats(Initializer(q, "W_scale"))); // column maxima 1, 2, 2
        Assert.Equal(1, q.Graph.Nodes.Single(n => n.Outputs[0] == "W_dequantized").Int("axis", -1));
        Assert.Equal([0.9f / 127f, 1.2f / 127f], QdqQuantizer.Floats(Initializer(q, "B_scale")));
        Assert.Equal(0, q.Graph.Nodes.Single(n => n.Outputs[0] == "B_dequantized").Int("axis", -1));
        using (var session = new InferenceSession(q.ToBytes()))
        using (var fp = new InferenceSession(model.ToBytes()))
        {
            float[] x = [0.5f, -0.25f, 1f, -1f];
            float Run(InferenceSession s, int k)
            {
                using var v = OrtValue.CreateTensorValueFromMemory(x, [1, 4]);
                using var r = s.Run(new RunOptions(), ["x"], [v], ["y"]);
                return r[0].GetTensorDataAsSpan<float>()[k];
            }
            Assert.InRange(Run(session, 0) - Run(fp, 0), -0.1, 0.1);
            Assert.InRange(Run(session, 1) - Run(fp, 1), -0.1, 0.1);
        }

        var plan = QdqQuantizer.Plan(model, new QuantizationOptions { ExcludedNodes = ["fc"] });
        Assert.Equal(["x", "h"], plan.Tensors);
        Assert.Equal(("fc", "excluded by the options"), (plan.Skipped.Single().Node, plan.Skipped.Single().Reason));
    }

    [Fact]
    public void PercentileRange_ClipsRareOutliers_AndSurvivesTheHistogramWidening()
    {
        var collector = new RangeCollector(histogram: true);
        var rng = new Random(3);
        // the first batch sets the grid at radius 1; the outliers later force it to widen seven times
        for (int batch = 0; batch < 100; batch++)
            collector.Add(Enumerable.Range(0, 10_000).Select(_ => (float)rng.NextDouble()).ToArray());
        collector.Add([100f, 90f, -50f]);

        var minMax = collector.Range(CalibrationMethod.MinMax, 99.99);
        var clipped = collector.Range(CalibrationMethod.Percentile, 99.99);

        Assert.Equal((-50f, 100f), (minMax.Min, minMax.Max));
        // 3 outliers in a million values are well inside the 0.01 % tails; the grid is now 256/4096 wide per bin
        Assert.InRange(clipped.Max, 0.99f, 1f + 256f / 4096);
        Assert.InRange(clipped.Min, -256f / 4096, 0.01f);
        Assert.Equal(1_000_003, collector.Count);
    }

    [Fact]
    public void ModelWithoutAnyDescription_AsksForTheNormalisation()
    {
        using var dir = new TempDirectory();
        var path = dir.File("unknown.onnx");
        File.WriteAllBytes(path, TinyConv().ToBytes());

        var e = Assert.Throws<FaceKitException>(() => SourceModel.Describe(path, TinyConv(), ModelManifest.Default));
        Assert.True(e.IsUserError);
        Assert.Contains("--mean", e.Message);

        var given = SourceModel.Describe(path, TinyConv(), ModelManifest.Default, new PreprocessingOverrides { Mean = 127.5f, Scale = 127.5f, Channels = "gray" });
        Assert.Equal(InputPreprocessing.Create(8, "NCHW", "GRAY", 127.5f, 127.5f), given.Input);
        Assert.Equal("local/unknown.int8", given.QuantizedInfo(dir.File("unknown.int8.onnx")).Id);
    }

    [Fact]
    public void ExportedModel_IsDescribedByTheNormalisationInItsMetadata_AndASidecarWinsOverIt()
    {
        using var dir = new TempDirectory();
        var path = dir.File("exported.onnx");
        var model = TinyConv() with
        {
            Metadata =
            [
                new(Export.FaceModelExporter.MetadataKeys.Channels, "RGB"), new(Export.FaceModelExporter.MetadataKeys.Mean, "127.5"),
                new(Export.FaceModelExporter.MetadataKeys.Scale, "128"), new(Export.FaceModelExporter.MetadataKeys.InputSize, "8"),
            ],
        };
        File.WriteAllBytes(path, model.ToBytes());

        var fromMetadata = SourceModel.Describe(path, OnnxModel.Load(path), ModelManifest.Default);
        Assert.Equal(InputPreprocessing.Create(8, "NCHW", "RGB", 127.5f, 128f), fromMetadata.Input);

        ModelSidecar.Write(path, new ModelInfo("local/exported", "exported", ModelSidecar.LocalPack, "exported.onnx", ModelRole.Embedder, [8, 8],
            "NCHW", "BGR", 127f, 128f, "8-d embedding", Threshold: 0.4f));
        var fromSidecar = SourceModel.Describe(path, OnnxModel.Load(path), ModelManifest.Default);
        Assert.Equal("BGR", fromSidecar.Input.Channels);
        var quantized = fromSidecar.QuantizedInfo(dir.File("exported.int8.onnx"));
        Assert.Equal(("local/exported+int8", "exported-int8", 0.4f), (quantized.Id, quantized.Name, quantized.Threshold));
    }

    /// <summary>
    /// The default embedder calibrated on 50 CelebA faces, compared on the 30 LFW faces of unit/. CelebA is built on
    /// CelebFaces+, whose identities were chosen disjoint from LFW's, so no evaluated person was seen in calibration.
    /// Measured here (AMD EPYC, AVX2 without VNNI, ONNX Runtime 1.31.1): mean cosine 0.986, lowest 0.975. A CPU with
    /// VNNI does not saturate and should only do better. 0.98 / 0.95 leave room for that and fail on any real regression
    /// (min/max instead of percentile ranges gives 0.977; 8-bit first-layer weights on this CPU 0.982).
    /// </summary>
    [RealModelFact]
    public void DefaultEmbedder_QuantisedOnCelebA_GivesEmbeddingsCloseToFp32_OnLfwFaces()
    {
        using var dir = new TempDirectory();
        var source = Path.Combine(TestModels.Directory, "fr_feature_batch.onnx");
        var model = OnnxModel.Load(source);
        var described = SourceModel.Describe(source, model, ModelManifest.Default);
        Assert.Equal("faceplugin/fr_feature@0.0.1", described.Info!.Id);
        using var pipeline = FacePipeline.Create(new PipelineOptions { ModelDirectory = TestModels.Directory, Inference = new() { IntraOpThreads = 1 } });
        var calibration = CalibrationFaces.Load(SharedData.Path("celeba-train"), 50, 112, new ImageLoader(), () => pipeline);
        Assert.Equal(50, calibration.Faces.Count);
        Assert.All(calibration.Files, f => Assert.StartsWith(SharedData.Path("celeba-train"), f));

        var outPath = dir.File("fr_feature.int8.onnx");
        var report = ModelQuantizer.Run(source, model, described, calibration.Faces, outPath, new QuantizationOptions { Threads = 1 });

        Assert.Equal(50, report.Summary.QuantizedNodes); // every Conv of the model
        Assert.Empty(report.Summary.Skipped);
        Assert.InRange((double)report.Summary.QuantizedWeightBytes / report.Summary.FloatWeightBytes, 0.25, 0.30);
        Assert.True(File.Exists(ModelSidecar.PathFor(outPath)));

        // ONNX Runtime loads it through the same store lookup `--embedder PATH` uses, and fuses every Conv into QLinearConv.
        var info = new ModelStore(TestModels.Directory).Find(outPath, ModelRole.Embedder);
        Assert.Equal("faceplugin/fr_feature@0.0.1+int8", info.Id);
        var optimised = dir.File("optimised.onnx");
        using (var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimised })
            new InferenceSession(outPath, so).Dispose();
        var ops = OnnxModel.Load(optimised).Graph.Nodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(50, ops.GetValueOrDefault("QLinearConv"));
        Assert.False(ops.ContainsKey("Conv"));

        var faces = Directory.GetFiles(SharedData.Path("unit", "images"), "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => pipeline.Load(f)).Select(img => (img, faces: pipeline.Detect(img))).Where(p => p.faces.Count > 0)
            .Select(p => pipeline.Align(p.img, p.faces[0])).ToList();
        Assert.Equal(30, faces.Count);
        using var fp32 = new OnnxFaceEmbedder(new InferenceSession(source), described.Info);
        using var int8 = new OnnxFaceEmbedder(new InferenceSession(outPath), info);
        var a = fp32.Embed(faces);
        var b = int8.Embed(faces);
        // both unit length; Similarity itself refuses to compare templates of two model ids, rightly
        var cosines = a.Zip(b, (p, q) => p.Vector.Zip(q.Vector, (u, v) => (double)u * v).Sum()).ToArray();
        output.WriteLine($"cosine fp32↔int8 over {faces.Count} faces: mean {cosines.Average():F4}, min {cosines.Min():F4}");
        Assert.True(cosines.Average() >= 0.98, $"mean cosine {cosines.Average():F4}");
        Assert.True(cosines.Min() >= 0.95, $"lowest cosine {cosines.Min():F4}");
        Assert.Equal(512, int8.Dimension);
    }
}
