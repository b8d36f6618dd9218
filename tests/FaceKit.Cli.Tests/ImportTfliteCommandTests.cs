using System.Security.Cryptography;
using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

/// <summary>`facekit models import-tflite` run as a user would, on the real TFLite files of the expo pack.</summary>
public sealed class ImportTfliteCommandTests
{
    private static string Installed(string file) => Path.Combine(TestModels.Directory, file);

    [RealModelFact]
    public void ImportTflite_RNet_WritesTheSameBytesAsTheInstalledPinnedModel()
    {
        using var dir = new TempDirectory();
        var output = Path.Combine(dir.Path, "rnet.onnx");

        var run = Facekit.Run("models", "import-tflite", Installed("mtcnn_rnet.tflite"), output, "--json");

        CliAssert.Succeeded(run);
        // models.json pins the sha256 of the converted file; the conversion is deterministic, so a user's own run
        // must reproduce the installed model bit for bit.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Installed("mtcnn_rnet.onnx")))),
            Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(output))));
        var json = run.Json;
        Assert.Equal(Path.GetFullPath(output), json.GetProperty("output").GetString());
        var operators = json.GetProperty("operators").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToArray();
        Assert.Contains("CONV_2D", operators);
        Assert.Contains("FULLY_CONNECTED", operators);
        Assert.Equal(["rnet/input [N,3,24,24]"], json.GetProperty("inputs").EnumerateArray().Select(i => i.GetString()).ToArray());
    }

    [RealModelFact]
    public void ImportTflite_PNetWithDynamicSpatial_MatchesTheInstalledModel()
    {
        using var dir = new TempDirectory();
        var output = Path.Combine(dir.Path, "pnet.onnx");

        var run = Facekit.Run("models", "import-tflite", Installed("mtcnn_pnet.tflite"), output, "--dynamic-spatial");

        CliAssert.Succeeded(run);
        Assert.Contains("ONNX nodes from", run.Stdout);
        Assert.Equal(File.ReadAllBytes(Installed("mtcnn_pnet.onnx")), File.ReadAllBytes(output));
    }

    [RealModelFact]
    public void ImportTflite_TruncatedFlatbuffer_ExitsTwoWithOneLineAndWritesNothing()
    {
        using var dir = new TempDirectory();
        var truncated = Path.Combine(dir.Path, "onet.tflite");
        var bytes = File.ReadAllBytes(Installed("mtcnn_onet.tflite"));
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 3)]);
        var output = Path.Combine(dir.Path, "onet.onnx");

        var run = Facekit.Run("models", "import-tflite", truncated, output);

        CliAssert.BadInputWithOneLine(run, "onet.tflite");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void ImportTflite_NotAFlatbuffer_ExitsTwoWithOneLine()
    {
        using var dir = new TempDirectory();
        var text = Path.Combine(dir.Path, "model.tflite");
        File.WriteAllText(text, "this is not a TFLite model, just text that happens to be long enough to have a header");

        var run = Facekit.Run("models", "import-tflite", text, Path.Combine(dir.Path, "out.onnx"));

        CliAssert.BadInputWithOneLine(run, "model.tflite");
    }
}
