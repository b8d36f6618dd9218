using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

/// <summary>`facekit bench` reports its stages. Timings are printed, never asserted: speed is not a test's business.</summary>
public sealed class BenchCommandTests
{
    [RealModelFact]
    public void Bench_OneRound_ReportsEveryPipelineStageWithPositiveMedians()
    {
        // Two photos (one group photo, one portrait) keep the run short.
        using var images = new TempDirectory();
        File.Copy(SharedData.Path("group-photos", "bbt3.jpg"), images.File("bbt3.jpg"));
        File.Copy(UnitFaces.Photo("Abdullah", 1), images.File("Abdullah_0001.jpg"));

        var run = Facekit.Run("bench", "--rounds", "1", "--gallery-size", "1000", "--json", "--images", images.Path);

        CliAssert.Succeeded(run);
        var json = run.Json;
        Assert.Equal(1, json.GetProperty("rounds").GetInt32());
        Assert.Equal(1000, json.GetProperty("gallery_size").GetInt32());
        Assert.Equal(2, json.GetProperty("files").GetInt32());
        Assert.True(json.GetProperty("faces").GetInt32() >= 6, run.ToString());
        var stages = json.GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("stage").GetString()!);
        foreach (var stage in new[] { "decode", "detect", "landmarks", "align", "embed", "search" })
        {
            Assert.True(stages.TryGetValue(stage, out var s), $"stage '{stage}' missing:\n{run}");
            Assert.True(s.GetProperty("count").GetInt32() > 0, $"{stage}: {s}");
            Assert.True(s.GetProperty("median_ms").GetDouble() > 0, $"{stage}: {s}");
        }
    }

    [RealModelFact]
    public void Bench_FolderWithoutFaces_IsNotAnInternalError()
    {
        // Exit 3 means a FaceKit bug; a folder of faceless pictures is the user's input, so 0 (nothing to time) or 2.
        using var images = new TempDirectory();
        File.WriteAllBytes(images.File("noise.pgm"), CraftedImages.Pgm(640, 480, CraftedImages.Noise(640, 480, 1, seed: 3)));

        var run = Facekit.Run("bench", "--rounds", "1", "--gallery-size", "10", "--json", "--images", images.Path);

        Assert.True(run.ExitCode is CliAssert.Success or CliAssert.BadInput, run.ToString());
        if (run.ExitCode == CliAssert.BadInput) CliAssert.OneLineOnStderr(run);
    }
}
