using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

/// <summary>`facekit eval all-pairs`: every pair of an identity tree through the real pipeline.</summary>
public sealed class EvalAllPairsCommandTests
{
    [RealModelFact]
    public void EvalAllPairs_UnitFaces_ScoresAll435PairsAndSeparatesThePeople()
    {
        using var dir = new TempDirectory();
        var run = Facekit.Run("eval", "all-pairs", "--root", SharedData.Path("unit", "images"), "--cache", dir.File("cache.bin"), "--json");

        CliAssert.Succeeded(run);
        var json = run.Json;
        Assert.Equal(30 * 29 / 2, json.GetProperty("pairs").GetInt32());
        Assert.Equal(10 * 3, json.GetProperty("genuine_pairs").GetInt32());
        Assert.Equal(435 - 30, json.GetProperty("impostor_pairs").GetInt32());
        Assert.Equal(30, json.GetProperty("images").GetInt32());
        Assert.True(json.GetProperty("auc").GetDouble() > 0.98, run.Stdout);
        // 405 impostor pairs cannot estimate FPR 1e-3: the report says so rather than inventing a figure.
        var detail = json.GetProperty("tpr_at_fpr_detail")[0];
        Assert.Equal(0.001, detail.GetProperty("target_fpr").GetDouble());
        Assert.Contains("405 impostor pairs", detail.GetProperty("not_estimable_reason").GetString());
    }

    [Fact]
    public void EvalAllPairs_MissingFolder_ExitsTwoWithOneLine()
    {
        using var dir = new TempDirectory();
        var run = Facekit.Run("eval", "all-pairs", "--root", dir.File("nowhere"));

        CliAssert.BadInputWithOneLine(run, "nowhere");
    }
}
