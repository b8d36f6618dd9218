using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Onnx;
using FaceKit.Testing;
using FaceKit.Training.Export;
using FaceKit.Training.Models;

namespace FaceKit.Cli.Tests;

/// <summary>
/// `facekit profile --paper-table` on FaceKit's own MobileFaceNet v1/v2/v3 exports: the findings come out of the
/// profiler's analysis of the real exported graphs (the weights do not matter for these columns, so the networks are
/// freshly initialised).
/// </summary>
public sealed class PaperTableTests
{
    [Fact]
    public void PaperTable_V1FallsBackOnItsGlobal7x7DepthwiseConv_V2MapsWhole_V3HasTheFewestWeights()
    {
        using var dir = new TempDirectory();
        var files = new List<string>();
        foreach (var v in new[] { "v1", "v2", "v3" })
        {
            TorchSharp.torch.manual_seed(7);
            using var model = Architectures.Create($"mobilefacenet-{v}");
            model.eval();
            var path = dir.File($"export-{v}.onnx");
            OnnxWriter.WriteFile(FaceModelExporter.Export(model), path);
            files.Add(path);
        }

        var run = Facekit.Run(["profile", "--paper-table", "--runs", "0", "--json", .. files]);

        CliAssert.Succeeded(run);
        var findings = run.Json.GetProperty("findings").EnumerateArray().Select(f => f.GetString()!).ToArray();
        Assert.Contains(findings, f => f.StartsWith("v1: 1 node(s) fall back") && f.Contains("Conv 7×7 dw (conv-kernel-height)"));
        Assert.Contains(findings, f => f.StartsWith("v2: every node maps to the Neural-ART NPU"));
        Assert.Contains(findings, f => f.StartsWith("Fewest weights: v3"));
        // Where FaceKit's rules and the paper disagree, the table says so rather than agreeing by fiat.
        Assert.Contains(findings, f => f.StartsWith("v3 differs from the paper") && f.Contains("GlobalAveragePool"));

        var text = Facekit.Run(["profile", "--paper-table", "--runs", "0", .. files]);
        CliAssert.Succeeded(text);
        Assert.Contains("| v1 | paper | 109 | on the STM32N6 | 799 | 821 | - | - | 77.8 |", text.Stdout);
    }

    [Fact]
    public void PaperTable_ModelThatIsNotAVariant_ExitsTwoWithOneLine()
    {
        using var dir = new TempDirectory();
        TorchSharp.torch.manual_seed(7);
        using var model = Architectures.Create("mobilenetv2");
        var path = dir.File("other.onnx");
        OnnxWriter.WriteFile(FaceModelExporter.Export(model), path);

        var run = Facekit.Run("profile", "--paper-table", "--runs", "0", path);

        CliAssert.BadInputWithOneLine(run, "--paper-table");
    }
}
