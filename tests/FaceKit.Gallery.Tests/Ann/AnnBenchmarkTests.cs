using FaceKit.Core.Errors;
using FaceKit.Gallery.Search.Ann;

namespace FaceKit.Gallery.Tests.Ann;

/// <summary>What `facekit bench gallery` reports comes out whole and plausible (timings are printed, never asserted).</summary>
public sealed class AnnBenchmarkTests
{
    [Fact]
    public void Run_SmallGallery_ReportsBuildLatencyAndRecallForEachProbeCount()
    {
        using var temp = new FaceKit.Testing.TempDirectory();

        var result = AnnBenchmark.Run(new AnnBenchmarkOptions { Size = 3000, Queries = 50, Probes = [2, 8], TempDirectory = temp.Path });

        Assert.Equal(600, result.Identities);
        Assert.Equal(64, result.Lists);
        Assert.Equal(new[] { 2, 8 }, result.Ann.Select(p => p.Probes));
        Assert.All(result.Ann, p => Assert.InRange(p.RecallAt1, 0.98, 1.0));
        Assert.All(result.Ann, p => Assert.InRange(p.RecallAt10, 0.0, 1.0));
        Assert.True(result.Ann[1].RecallAt10 >= result.Ann[0].RecallAt10, "more lists scanned, fewer subjects found");
        Assert.True(result.BuildSeconds > 0 && result.Exact.P50Ms > 0 && result.Ann[0].Latency.P99Ms >= result.Ann[0].Latency.P50Ms);
        Assert.True(result.IndexFileMb > 0 && result.PeakWorkingSetMb > 0);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Run_ExactOnly_HasNoIndexRows_AndUnknownIndexIsBadInput()
    {
        var exact = AnnBenchmark.Run(new AnnBenchmarkOptions { Size = 500, Queries = 10, Index = "exact" });
        Assert.Empty(exact.Ann);
        Assert.Equal(0, exact.Lists);

        var e = Assert.Throws<FaceKitException>(() => AnnBenchmark.Run(new AnnBenchmarkOptions { Size = 500, Index = "hnsw" }));
        Assert.Equal(ErrorCode.BadInput, e.Code);
    }
}
