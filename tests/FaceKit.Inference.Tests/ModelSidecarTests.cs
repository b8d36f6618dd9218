using FaceKit.Inference.Models;
using FaceKit.Testing;

namespace FaceKit.Inference.Tests;

public sealed class ModelSidecarTests
{
    [Fact]
    public void Write_KeepsIdsReadable_AndReadsBackTheSameEntry()
    {
        using var dir = new TempDirectory();
        var model = dir.File("v3.int8.onnx");
        var info = new ModelInfo("local/v3@67b4979ddd9d+int8", "v3-int8", ModelSidecar.LocalPack, "ignored.onnx", ModelRole.Embedder,
            [112, 112], "NCHW", "BGR", 127.5f, 128f, "128-d embedding", Threshold: 0.35f);

        ModelSidecar.Write(model, info);

        var text = File.ReadAllText(ModelSidecar.PathFor(model));
        Assert.Contains("\"id\": \"local/v3@67b4979ddd9d+int8\"", text);
        Assert.Contains("\"file\": \"v3.int8.onnx\"", text);
        var back = ModelSidecar.Read(ModelSidecar.PathFor(model));
        Assert.Equal((info.Id, info.Name, info.Role, info.Channels, info.Mean, info.Threshold), (back.Id, back.Name, back.Role, back.Channels, back.Mean, back.Threshold));
        Assert.Equal(model, back.File);
        Assert.Equal([112, 112], back.Input);
    }
}
