using System.Text.Json;
using FaceKit.Profiling.Latency;
using FaceKit.Onnx;
using FaceKit.Profiling.Reporting;
using FaceKit.Profiling.Targets;
using FaceKit.Testing;

namespace FaceKit.Profiling.Tests;

public class ReportAndLatencyTests
{
    private static GraphBuilder Small()
    {
        var b = new GraphBuilder();
        var y = b.Conv(b.Input("x", 1, 3, 16, 16), 3, 8, 3, pad: 1, name: "conv");
        b.Output(b.Relu(y, "relu"));
        return b;
    }

    [Fact]
    public void Reports_CarryTheFiguresTheLayersAndTheFormulas()
    {
        var p = Small().Profile(new ProfileOptions { Target = TargetProfile.Builtin("stm32n6-npu"), Label = "small.onnx" });

        var text = ProfileReport.Text(p, layers: true);
        Assert.Contains("small.onnx", text);
        Assert.Contains($"MACC         {p.Macc / 1e6:F3} M", text);
        Assert.Contains("conv", text);
        Assert.Contains("int8-only", text);
        Assert.Contains("formulas:", text);

        var markdown = ProfileReport.Markdown(p, layers: true);
        Assert.StartsWith("## small.onnx", markdown);
        Assert.Contains("| activation peak |", markdown);
        Assert.Contains("| 0 | Conv | `conv` |", markdown);

        using var json = JsonDocument.Parse(ProfileReport.Json(p));
        var root = json.RootElement;
        Assert.Equal(p.Macc, root.GetProperty("macc").GetInt64());
        Assert.Equal(p.Memory.ActivationPeakBytes, root.GetProperty("memory").GetProperty("activation_peak_bytes").GetInt64());
        Assert.Equal(2, root.GetProperty("layers").GetArrayLength());
        Assert.Equal("int8-only", root.GetProperty("target").GetProperty("fallbacks")[0].GetProperty("rule").GetString());
        Assert.True(root.GetProperty("formulas").GetArrayLength() > 5);
    }

    [Fact]
    public void Compare_PutsOneModelPerRow()
    {
        var a = Small().Profile(new ProfileOptions { Label = "a.onnx" });
        var b = Small().Profile(new ProfileOptions { Label = "b.onnx" });
        var lines = ProfileReport.Compare([a, b]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("model", lines[0]);
        Assert.StartsWith("a.onnx", lines[1]);
        Assert.Contains("| b.onnx |", ProfileReport.Compare([a, b], markdown: true));
    }

    [Fact]
    public void Latency_IsMeasuredWithOnnxRuntime_AfterWarmup()
    {
        using var dir = new TempDirectory();
        OnnxWriter.WriteFile(Small().Build(), dir.File("small.onnx"));
        var r = LatencyBench.Measure(dir.File("small.onnx"), new LatencyOptions { Runs = 7, Warmup = 2, Threads = 1 });
        Assert.Equal((7, 2, 1), (r.Runs, r.Warmup, r.Threads));
        Assert.InRange(r.MinMs, 0.0001, r.MedianMs);
        Assert.True(r.P95Ms >= r.MedianMs);
        Assert.Equal("CPUExecutionProvider", r.Provider);
    }

    [Fact]
    public void Percentile_IsNearestRank()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(5, LatencyBench.Percentile(sorted, 0.5));
        Assert.Equal(10, LatencyBench.Percentile(sorted, 0.95));
        Assert.Equal(1, LatencyBench.Percentile([1], 0.95));
    }
}
