using System.Globalization;
using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Embedders;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Models;
using FaceKit.Onnx;
using FaceKit.Testing;
using FaceKit.Training.Export;
using FaceKit.Training.Models;
using FaceKit.Training.Trainer;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceKit.Training.Tests;

/// <summary>
/// The exported ONNX graph, run by ONNX Runtime, against the same network's eval-mode forward in TorchSharp on the same
/// batch of three 112×112 crops. BatchNorm statistics and affine terms and PReLU slopes are randomised first: freshly
/// built networks have μ = 0, σ² = 1, γ = 1, β = 0, which a wrong fold would reproduce exactly.
/// Parity: max |onnx − torch| ≤ 1e-4 × max |torch| (the output's own scale), and cosine ≥ 0.9999 for every row.
/// </summary>
[Collection("torch")]
public class ExportTests(ITestOutputHelper output)
{
    private const double RelativeTolerance = 1e-4;
    private const double MinCosine = 0.9999;

    public static TheoryData<string> ArchitectureNames => new()
    {
        "mobilefacenet-v1", "mobilefacenet-v2", "mobilefacenet-v3", "mobilefacenet", "mobilenetv2", "tiny", "iresnet50",
    };

    [Theory]
    [MemberData(nameof(ArchitectureNames))]
    public void Export_RunInOnnxRuntime_MatchesTorchEvalForward(string architecture)
    {
        random.manual_seed(20240605);
        using var model = Architectures.Create(architecture);
        var crops = Crops();
        Randomise(model, seed: 1, crops);

        var expected = TorchForward(model, crops);
        var exported = FaceModelExporter.Export(model);
        var actual = OnnxForward(exported.ToBytes(), crops, out var session);

        AssertParity(architecture, expected, actual, model.Spec.EmbeddingSize, distinctRows: true);
        Assert.Equal(new[] { -1, 3, 112, 112 }, session.InputMetadata[FaceModelExporter.InputName].Dimensions);
        Assert.Equal(new[] { -1, model.Spec.EmbeddingSize }, session.OutputMetadata[FaceModelExporter.OutputName].Dimensions);
        session.Dispose();

        // Folding is what makes the graph small: every conv's BN is gone, only IR-ResNet's pre-conv BNs remain.
        var nodes = exported.Graph.Nodes;
        int convBn = model.modules().Count(m => m is ConvBn) + model.modules().Count(m => m is IBasicBlock) * 2;
        Assert.Equal(convBn, nodes.Count(n => n.OpType == "Conv"));
        Assert.Equal(model.modules().Count(m => m is IBasicBlock), nodes.Count(n => n.OpType == "BatchNormalization"));
        foreach (var prelu in nodes.Where(n => n.OpType == "PRelu"))
        {
            var slope = exported.Graph.Initializers.Single(i => i.Name == prelu.Inputs[1]);
            Assert.Equal(3, slope.Dims.Count);
            Assert.Equal(new long[] { 1, 1 }, slope.Dims.Skip(1));
        }
        Assert.Equal(architecture, exported.MetadataValue(FaceModelExporter.MetadataKeys.Architecture));
        Assert.Equal("BGR", exported.MetadataValue(FaceModelExporter.MetadataKeys.Channels));
    }

    [Fact]
    public void Checkpoint_SavedWithCheckpointSave_RoundTripsThroughExport()
    {
        using var dir = new TempDirectory();
        random.manual_seed(3);
        using var model = Architectures.Create("mobilefacenet-v3");
        Randomise(model, seed: 2, Crops());
        using var margin = randn(5, 128);
        var path = dir.File("run.ckpt");
        Checkpoint.Save(path, Info("mobilefacenet-v3", 128, step: 42),
            model.state_dict().Select(p => ("model." + p.Key, p.Value)).Append(("margin.weight", margin)));
        var crops = Crops();

        var exported = FaceModelExporter.ExportCheckpoint(path);
        var actual = OnnxForward(exported.ToBytes(), crops, out var session);
        session.Dispose();

        AssertParity("checkpoint mobilefacenet-v3", TorchForward(model, crops), actual, 128, distinctRows: true);
        Assert.Equal("42", exported.MetadataValue("facekit.checkpoint_step"));
        Assert.Equal("5", exported.MetadataValue("facekit.identities"));
        // Metadata survives our own writer and reader, which is how the sidecar's description is made.
        var reread = OnnxModel.Parse(exported.ToBytes());
        Assert.Equal(exported.Metadata, reread.Metadata);
        Assert.Equal("127.5", reread.MetadataValue(FaceModelExporter.MetadataKeys.Mean));
        Assert.Equal("128", reread.MetadataValue(FaceModelExporter.MetadataKeys.Scale));
    }

    [Fact]
    public void Checkpoint_WrittenByTheTrainer_ExportsItsTrainedWeights()
    {
        using var dir = new TempDirectory();
        var result = new FaceTrainer(new TrainerOptions
        {
            Architecture = "tiny", BatchSize = 4, Steps = 3, WarmupSteps = 1, LearningRate = 0.05,
            Margin = Losses.MarginOptions.CosFace(s: 16), Seed = 4, OutputDirectory = dir.File("run"),
        }).Run(TrainerTests.Synthetic());
        Assert.Equal(TrainingOutcome.Completed, result.Outcome);

        // The reference is built independently of the exporter: a fresh network with the checkpoint's tensors loaded.
        var (info, tensors) = Checkpoint.Load(result.LastCheckpoint);
        using var reference = Architectures.Create(info.Architecture, info.EmbeddingSize);
        reference.load_state_dict(Checkpoint.Under(tensors, "model."));
        reference.eval();
        var crops = Crops();

        var actual = OnnxForward(FaceModelExporter.ExportCheckpoint(result.LastCheckpoint).ToBytes(), crops, out var session);
        session.Dispose();

        AssertParity("trainer checkpoint tiny", TorchForward(reference, crops), actual, info.EmbeddingSize);
    }

    [Fact]
    public void ExportedModel_WithSidecar_IsFoundByPathNameAndId_AndEmbedsAsTorchDoes()
    {
        using var dir = new TempDirectory();
        random.manual_seed(9);
        using var model = Architectures.Create("tiny");
        Randomise(model, seed: 3, Crops());
        var exported = FaceModelExporter.Export(model);

        var saved = ExportedEmbedder.Save(exported, dir.File("run/model.onnx"));
        var registered = ExportedEmbedder.Register(exported, dir.File("models"), "mynet");
        var store = new ModelStore(dir.File("models"));

        var byPath = store.Find(dir.File("run/model.onnx"), ModelRole.Embedder);
        Assert.Equal(Key(saved), Key(byPath));
        Assert.Equal(dir.File("run/model.onnx"), store.Require(byPath));
        Assert.Equal(Key(registered), Key(store.Find("mynet", ModelRole.Embedder)));
        Assert.Equal(Key(registered), Key(store.Find(registered.Id, ModelRole.Embedder)));
        Assert.Equal(dir.File("models/mynet.onnx"), store.Require(store.Find("mynet", ModelRole.Embedder)));
        Assert.StartsWith("local/mynet@", registered.Id);
        Assert.Equal(("BGR", 127.5f, 128f, 112), (registered.Channels, registered.Mean, registered.Scale, registered.Input[0]));
        Assert.Equal(store.Manifest.Find("faceplugin", ModelRole.Embedder), store.Find("faceplugin", ModelRole.Embedder));

        // Through the inference code's own embedder (its normalisation read from the sidecar) against torch.
        var crops = Crops();
        using var embedder = new OnnxFaceEmbedder(new InferenceSession(store.Require(registered)), registered);
        var embeddings = embedder.Embed(crops);
        var expected = TorchForward(model, crops);
        int e = model.Spec.EmbeddingSize;
        for (int i = 0; i < crops.Length; i++)
        {
            var row = expected.AsSpan(i * e, e).ToArray();
            double norm = Math.Sqrt(row.Sum(v => (double)v * v));
            double cosine = embeddings[i].Vector.ToArray().Zip(row).Sum(p => p.First * p.Second) / norm;
            Assert.True(cosine >= MinCosine, $"row {i}: cosine {cosine}");
            Assert.Equal(registered.Id, embeddings[i].ModelId);
        }
    }

    [Fact]
    public void ModelStore_ModelWithoutSidecar_OrUnknownName_IsABadInputError()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("bare.onnx"), [1, 2, 3]);
        var store = new ModelStore(dir.Path);

        var bare = Assert.Throws<FaceKitException>(() => store.Find(dir.File("bare.onnx"), ModelRole.Embedder));
        Assert.Contains("bare.onnx.json", bare.Message);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => store.Find(dir.File("absent.onnx"), ModelRole.Embedder)).Code);
        var unknown = Assert.Throws<FaceKitException>(() => store.Find("nosuchnet", ModelRole.Embedder));
        Assert.Contains("unknown embedder 'nosuchnet'", unknown.Message);
    }

    [Fact]
    public void ExportCheckpoint_MissingFileNotACheckpointOrUnknownArchitecture_AreUserErrors()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("notes.ckpt"), "hello");
        Checkpoint.Save(dir.File("alien.ckpt"), Info("alexnet", 128, step: 1), []);
        random.manual_seed(1);
        using (var model = Architectures.Create("tiny"))
            Checkpoint.Save(dir.File("full.ckpt"), Info("tiny", 32, step: 1), model.state_dict().Select(p => ("model." + p.Key, p.Value)));
        var bytes = File.ReadAllBytes(dir.File("full.ckpt"));
        File.WriteAllBytes(dir.File("truncated.ckpt"), bytes[..(bytes.Length / 2)]);
        Checkpoint.Save(dir.File("mismatch.ckpt"), Info("mobilefacenet-v3", 128, step: 1), []);

        foreach (var (file, says) in new[]
                 {
                     ("missing.ckpt", "no such checkpoint"), ("notes.ckpt", "not a FaceKit training checkpoint"),
                     ("alien.ckpt", "unknown architecture 'alexnet'"), ("truncated.ckpt", "not a readable"), ("mismatch.ckpt", "do not fit"),
                 })
        {
            var e = Assert.Throws<FaceKitException>(() => FaceModelExporter.ExportCheckpoint(dir.File(file)));
            Assert.True(e.IsUserError, e.ToString());
            Assert.Contains(says, e.Message);
            Assert.StartsWith(dir.File(file), e.Message);
        }
        var exported = FaceModelExporter.ExportCheckpoint(dir.File("full.ckpt"));
        Assert.Throws<FaceKitException>(() => ExportedEmbedder.Register(exported, dir.File("models"), "faceplugin"));
        Assert.Throws<FaceKitException>(() => ExportedEmbedder.Register(exported, dir.File("models"), "../escape"));
    }

    private static (string, string, string, ModelRole, string, float, float, string) Key(ModelInfo m) =>
        (m.Id, m.Name, m.File, m.Role, m.Channels, m.Mean, m.Scale, string.Join('x', m.Input));

    private static CheckpointInfo Info(string architecture, int embedding, int step) => new()
    {
        Architecture = architecture, EmbeddingSize = embedding, Identities = ["a", "b", "c", "d", "e"], Step = step, TotalSteps = step,
        StepsPerEpoch = 1, Seed = 0,
    };

    /// <summary>
    /// γ ~ U(0.6, 1.4), β ~ N(0, 0.1²), PReLU slopes ~ U(−0.1, 0.5); then the running statistics are measured on
    /// the crops and their mirror images (one train-mode pass with momentum 1) and the variances scaled by U(0.8, 1.25).
    /// Measured statistics keep the signal alive through fifty layers, as a trained network's do: with arbitrary ones
    /// it fades and the output is little more than the last BN's shift, the same for every face, which would hide a
    /// wrong conv behind a right bias.
    /// </summary>
    internal static void Randomise(FaceModel model, long seed, ImageBuffer[] calibration)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var g = new Generator((ulong)seed);
        var norms = model.modules().OfType<BatchNorm>().ToList();
        foreach (var bn in norms)
        {
            long c = bn.running_mean!.shape[0];
            bn.weight?.copy_(rand(c, generator: g) * 0.8 + 0.6);
            bn.bias?.copy_(randn(c, generator: g) * 0.1);
            bn.momentum = 1.0;
        }
        foreach (var p in model.modules().OfType<PReLU>())
            p.weight.copy_(rand(p.weight.shape, generator: g) * 0.6 - 0.1);
        var planes = Planes([.. calibration, .. calibration.Select(c => c.FlipHorizontal())]);
        model.train();
        model.forward(tensor(planes, [2 * calibration.Length, 3, 112, 112]));
        model.eval();
        foreach (var bn in norms)
        {
            bn.momentum = 0.1;
            bn.running_var!.mul_(rand(bn.running_var.shape[0], generator: g) * 0.45 + 0.8);
        }
    }

    /// <summary>
    /// Three 112×112 BGR crops: the centre of three LFW photos from ../shared/data/unit (the face fills it), else
    /// seeded noise where the data is absent.
    /// </summary>
    internal static ImageBuffer[] Crops()
    {
        if (SharedData.Available)
        {
            var loader = new ImageLoader();
            return Directory.GetDirectories(SharedData.Path("unit", "images")).Order(StringComparer.Ordinal).Take(3)
                .Select(d => loader.Load(Directory.GetFiles(d, "*.jpg").Order(StringComparer.Ordinal).First()).ToBgr())
                .Select(img => img.Crop((img.Width - 112) / 2, (img.Height - 112) / 2, 112, 112))
                .ToArray();
        }
        var rng = new Random(12);
        return Enumerable.Range(0, 3).Select(_ =>
        {
            var pixels = new byte[112 * 112 * 3];
            rng.NextBytes(pixels);
            return new ImageBuffer(112, 112, PixelFormat.Bgr24, pixels);
        }).ToArray();
    }

    /// <summary>NCHW planes as training makes them (BatchMaker): BGR order, (v − 127.5) / 128.</summary>
    private static float[] Planes(ImageBuffer[] crops)
    {
        const int plane = 112 * 112;
        var buffer = new float[crops.Length * 3 * plane];
        for (int b = 0; b < crops.Length; b++)
            for (int y = 0; y < 112; y++)
            {
                var row = crops[b].Row(y);
                for (int x = 0; x < 112; x++)
                    for (int c = 0; c < 3; c++)
                        buffer[(b * 3 + c) * plane + y * 112 + x] = (row[3 * x + c] - Data.InputNormalization.Mean) / Data.InputNormalization.Scale;
            }
        return buffer;
    }

    private static float[] TorchForward(FaceModel model, ImageBuffer[] crops)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var x = tensor(Planes(crops), [crops.Length, 3, 112, 112]);
        return model.forward(x).contiguous().data<float>().ToArray();
    }

    private static float[] OnnxForward(byte[] model, ImageBuffer[] crops, out InferenceSession session)
    {
        session = new InferenceSession(model);
        var input = new DenseTensor<float>(Planes(crops), [crops.Length, 3, 112, 112]);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(FaceModelExporter.InputName, input)]);
        return ((DenseTensor<float>)outputs.Single(o => o.Name == FaceModelExporter.OutputName).Value).Buffer.ToArray();
    }

    private void AssertParity(string what, float[] expected, float[] actual, int dimension, bool distinctRows = false)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(3 * dimension, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        double maxDiff = expected.Zip(actual).Max(p => Math.Abs((double)p.First - p.Second));
        var cosines = Enumerable.Range(0, 3).Select(i => Cosine(expected.AsSpan(i * dimension, dimension), actual.AsSpan(i * dimension, dimension))).ToArray();
        // How alike the three faces' embeddings are: a network that ignored its input would match any export.
        double between = Cosine(expected.AsSpan(0, dimension), expected.AsSpan(dimension, dimension));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PARITY {what}: max|torch| {scale:G4}, max|diff| {maxDiff:G3} (relative {maxDiff / scale:G3}), min cosine {cosines.Min():F9}; rows 0·1 cosine {between:F4}"));
        Assert.True(scale > 0, $"{what}: the torch output is all zero");
        Assert.True(maxDiff <= RelativeTolerance * scale, $"{what}: max |diff| {maxDiff} > {RelativeTolerance} × {scale}");
        Assert.All(cosines, c => Assert.True(c >= MinCosine, $"{what}: cosine {c}"));
        if (distinctRows) Assert.True(between < 0.99, $"{what}: two different faces embed alike (cosine {between}); the comparison would not see the convs");
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
