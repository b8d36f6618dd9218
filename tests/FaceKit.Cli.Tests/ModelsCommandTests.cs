using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Inference.Models;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

public sealed class ModelsCommandTests
{
    [RealModelFact]
    public void ModelsList_AfterInstall_ReportsEveryManifestModelInstalledAndVerified()
    {
        var run = Facekit.Run("models", "list", "--json");

        CliAssert.Succeeded(run);
        var json = run.Json;
        Assert.Equal(Path.GetFullPath(TestModels.Directory), json.GetProperty("directory").GetString());
        var models = json.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(ModelManifest.Default.Models.Select(m => m.Id).Order(), models.Select(m => m.GetProperty("id").GetString()).Order());
        Assert.Equal(["detector", "detector", "embedder", "embedder", "landmarker", "liveness"], models.Select(m => m.GetProperty("role").GetString()).Order());
        Assert.All(models, m =>
        {
            Assert.True(m.GetProperty("installed").GetBoolean(), m.ToString());
            Assert.True(m.GetProperty("verified").GetBoolean(), m.ToString());
            Assert.True(File.Exists(Path.Combine(TestModels.Directory, m.GetProperty("file").GetString()!)), m.ToString());
        });
    }

    [Fact]
    public void ModelsList_EmptyFolder_ExitsOneWithEveryModelMissing()
    {
        using var empty = new TempDirectory();

        var run = Facekit.Run("models", "list", "--json", "--models", empty.Path);

        CliAssert.ExitCode(CliAssert.Negative, run);
        var models = run.Json.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(ModelManifest.Default.Models.Count, models.Length);
        Assert.All(models, m => Assert.False(m.GetProperty("installed").GetBoolean() || m.GetProperty("verified").GetBoolean(), m.ToString()));
    }
}
