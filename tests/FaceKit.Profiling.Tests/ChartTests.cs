using System.Buffers.Binary;
using FaceKit.Onnx;
using FaceKit.Profiling.Reporting;
using FaceKit.Profiling.Targets;
using FaceKit.Testing;

namespace FaceKit.Profiling.Tests;

public sealed class ChartTests
{
    [RealModelFact]
    public void Charts_ForTheEmbedderOnStm32n6_AreTwoPngsOfTheAskedSize()
    {
        var model = OnnxModel.Load(Path.Combine(TestModels.Directory, "fr_feature.onnx"));
        var profile = ModelProfiler.Profile(model, new ProfileOptions { Target = TargetProfile.Builtin("stm32n6-npu"), AssumeInt8 = true, Label = "fr_feature" });
        using var dir = new TempDirectory();

        var written = ProfileCharts.Write(profile, dir.Path, "fr_feature", width: 900, height: 400);

        Assert.Equal([dir.File("fr_feature.macc.png"), dir.File("fr_feature.activations.png")], written);
        foreach (var png in written)
        {
            var bytes = File.ReadAllBytes(png);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            // IHDR: width and height, big-endian, right after the signature and chunk header.
            Assert.Equal(900, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
            Assert.Equal(400, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
            Assert.True(bytes.Length > 8_000, $"{png}: {bytes.Length} bytes, too small to hold ~100 bars");
        }
        Assert.NotEqual(File.ReadAllBytes(written[0]), File.ReadAllBytes(written[1]));
    }
}
