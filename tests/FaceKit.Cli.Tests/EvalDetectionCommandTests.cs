using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

/// <summary>`facekit eval detection` on the group photos, with the face counts checked by eye in docs/data.</summary>
public sealed class EvalDetectionCommandTests
{
    private static string Counts => Path.Combine(SharedData.RepositoryRoot, "docs", "data", "group-photos.faces.csv");

    [RealModelFact]
    public void EvalDetection_GroupPhotos_DefaultDetectorFindsEveryCountedFace_WithNoExtraDetections()
    {
        var run = Facekit.Run("eval", "detection", "--root", SharedData.Path("group-photos"), "--expect", Counts, "--json");

        CliAssert.Succeeded(run);
        var json = run.Json;
        Assert.Equal(12, json.GetProperty("images").GetInt32());
        Assert.Equal(4 + 2 + 5 + 6 + 5 + 7, json.GetProperty("expected_faces").GetInt32());
        Assert.Equal(12, json.GetProperty("images_detected").GetInt32());
        Assert.Equal(0, json.GetProperty("faces_missed").GetInt32());
        Assert.Equal(0, json.GetProperty("extra_detections").GetInt32());
        Assert.True(json.GetProperty("median_ms").GetDouble() > 0);
    }

    [RealModelFact]
    public void EvalDetection_At640x480_LetterboxesEveryPhotoFirst()
    {
        var run = Facekit.Run("eval", "detection", "--root", SharedData.Path("group-photos"), "--expect", Counts, "--at", "640x480", "--json");

        CliAssert.Succeeded(run);
        Assert.Equal("640x480", run.Json.GetProperty("at").GetString());
        Assert.True(run.Json.GetProperty("images_detected").GetInt32() >= 10, run.Stdout);
    }

    [Fact]
    public void EvalDetection_BadSize_ExitsTwoWithOneLine()
    {
        var run = Facekit.Run("eval", "detection", "--root", Path.GetTempPath(), "--at", "640by480");

        CliAssert.BadInputWithOneLine(run, "--at");
    }
}
