using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Onnx;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

/// <summary>`facekit quantize`: the int8 model it writes is one the other commands take by path, as its source.</summary>
public sealed class QuantizeCommandTests
{
    [RealModelFact]
    public void Quantize_DefaultEmbedder_OnSomePeople_ThenVerifyAndProfileOthersWithTheInt8Model()
    {
        // Calibrate on the photos of five unit/ people, verify with the other five.
        using var temp = new TempDirectory();
        var calib = Path.Combine(temp.Path, "calib");
        var people = UnitFaces.People;
        foreach (var person in people.Take(5))
            for (int n = 1; n <= 3; n++)
            {
                Directory.CreateDirectory(Path.Combine(calib, person));
                File.Copy(UnitFaces.Photo(person, n), Path.Combine(calib, person, $"{n}.jpg"));
            }
        var output = temp.File("fr_feature.int8.onnx");

        var run = Facekit.Run("quantize", Path.Combine(TestModels.Directory, "fr_feature_batch.onnx"), "--calib", calib, "--out", output, "--samples", "12", "--json");

        CliAssert.Succeeded(run);
        var json = run.Json;
        Assert.Equal(12, json.GetProperty("calibration_faces").GetInt32());
        Assert.Equal(50, json.GetProperty("quantized_nodes").GetInt32());
        Assert.Equal("faceplugin/fr_feature@0.0.1+int8", json.GetProperty("model_id").GetString());
        Assert.Equal((9, 13), (json.GetProperty("opset_before").GetInt32(), json.GetProperty("opset_after").GetInt32()));
        Assert.True(File.Exists(output + ".json"), "no sidecar beside the int8 model");
        Assert.Contains("\"faceplugin/fr_feature@0.0.1+int8\"", File.ReadAllText(output + ".json")); // readable, not \u002B

        var others = UnitFaces.Pairs.Where(p => !people.Take(5).Any(c => p.A.Contains(c) || p.B.Contains(c))).ToList();
        var same = others.First(p => p.Same);
        var different = others.First(p => !p.Same);
        var yes = Facekit.Run("verify", same.A, same.B, "--embedder", output, "--json");
        CliAssert.Succeeded(yes);
        Assert.True(yes.Json.GetProperty("same").GetBoolean(), yes.ToString());
        Assert.Equal("faceplugin/fr_feature@0.0.1+int8", yes.Json.GetProperty("model").GetString());
        var no = Facekit.Run("verify", different.A, different.B, "--embedder", output, "--json");
        CliAssert.ExitCode(CliAssert.Negative, no);

        var profile = Facekit.Run("profile", output, "--runs", "0", "--json");
        CliAssert.Succeeded(profile);
        Assert.True(profile.Json.GetProperty("quantized").GetBoolean());
        var weights = profile.Json.GetProperty("weights");
        Assert.True(weights.GetProperty("int8_from_model").GetBoolean());
        // int8 weights, plus int32 biases, per-channel scales and the fp32-sized PRelu slopes' int8 copies: a little over a quarter
        Assert.InRange(weights.GetProperty("int8").GetDouble() / weights.GetProperty("fp32").GetDouble(), 0.25, 0.30);
    }

    /// <summary>y = Conv(x[1,1,8,8], W[2,1,3,3]): a model small enough that nothing but quantize's own code runs.</summary>
    private static string TinyModel(TempDirectory temp)
    {
        var w = Enumerable.Range(0, 18).Select(i => (i - 9) / 10f).ToArray();
        var model = new OnnxModel
        {
            Graph = new OnnxGraph
            {
                Inputs = [OnnxValueInfo.Fixed("x", OnnxDataType.Float, 1, 1, 8, 8)],
                Outputs = [OnnxValueInfo.Fixed("y", OnnxDataType.Float, 1, 2, 6, 6)],
                Initializers = [OnnxTensor.FromFloats("w", [2, 1, 3, 3], w)],
                Nodes = [new OnnxNode { OpType = "Conv", Inputs = ["x", "w"], Outputs = ["y"], Attributes = [OnnxAttribute.Of("kernel_shape", 3, 3)] }],
            },
        };
        var path = temp.File("tiny.onnx");
        File.WriteAllBytes(path, model.ToBytes());
        return path;
    }

    [Fact]
    public void Quantize_CropsOfTheInputSize_AreTakenAsAligned_WithoutLoadingAnyDetector()
    {
        using var temp = new TempDirectory();
        var model = TinyModel(temp);
        var crops = Path.Combine(temp.Path, "crops");
        Directory.CreateDirectory(crops);
        for (int i = 0; i < 6; i++) File.WriteAllBytes(Path.Combine(crops, $"{i}.png"), CraftedImages.Png(8, 8, 1, CraftedImages.Noise(8, 8, 1, seed: i)));

        // --models points nowhere: had any photo needed detecting, the run would fail for the missing detector.
        var run = Facekit.Run("quantize", model, "--calib", crops, "--out", temp.File("tiny.int8.onnx"), "--mean", "127.5", "--scale", "127.5",
            "--channels", "GRAY", "--method", "minmax", "--activations", "int8", "--json", "--models", temp.File("no-models"));

        CliAssert.Succeeded(run);
        Assert.Equal(6, run.Json.GetProperty("calibration_faces").GetInt32());
        Assert.Equal("local/tiny.int8", run.Json.GetProperty("model_id").GetString());
        Assert.Equal("the command line", run.Json.GetProperty("described_by").GetString());
        var written = OnnxModel.Load(temp.File("tiny.int8.onnx"));
        Assert.Equal(13, written.DefaultOpset);
        Assert.Contains(written.Graph.Initializers, t => t.Name == "w_quantized" && t.DataType == OnnxDataType.Int8);
        Assert.Contains(written.Graph.Initializers, t => t.Name == "x_zero_point" && t.DataType == OnnxDataType.Int8);
    }

    [Fact]
    public void Quantize_ModelWithoutDescription_ExitsTwoAskingForTheNormalisation()
    {
        using var temp = new TempDirectory();
        var crops = Path.Combine(temp.Path, "crops");
        Directory.CreateDirectory(crops);

        var run = Facekit.Run("quantize", TinyModel(temp), "--calib", crops, "--out", temp.File("o.onnx"));

        CliAssert.BadInputWithOneLine(run, "--mean");
    }

    [Fact]
    public void Quantize_MissingCalibrationFolder_ExitsTwoNamingIt()
    {
        using var temp = new TempDirectory();

        var run = Facekit.Run("quantize", TinyModel(temp), "--calib", temp.File("nowhere"), "--out", temp.File("o.onnx"));

        CliAssert.BadInputWithOneLine(run, "--calib", "nowhere");
    }

    [Fact]
    public void Quantize_UnknownMethod_ExitsTwoNamingTheChoices()
    {
        using var temp = new TempDirectory();

        var run = Facekit.Run("quantize", TinyModel(temp), "--calib", temp.Path, "--out", temp.File("o.onnx"), "--method", "entropy");

        CliAssert.BadInputWithOneLine(run, "--method", "percentile");
    }

    [Fact]
    public void Quantize_MissingModel_ExitsTwoNamingTheFile()
    {
        using var temp = new TempDirectory();

        var run = Facekit.Run("quantize", temp.File("absent.onnx"), "--calib", temp.Path, "--out", temp.File("o.onnx"));

        CliAssert.BadInputWithOneLine(run, "absent.onnx");
    }
}
