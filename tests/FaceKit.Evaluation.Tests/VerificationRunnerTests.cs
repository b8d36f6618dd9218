using System.Text.Json;
using FaceKit.Core.Errors;
using FaceKit.Core.Metrics;
using FaceKit.Evaluation.Extraction;
using FaceKit.Evaluation.Pairs;
using FaceKit.Evaluation.Verification;
using FaceKit.Testing;

namespace FaceKit.Evaluation.Tests;

public class VerificationRunnerTests
{
    private static PairList UnitPairs() => CsvPairs.Read(SharedData.Path("unit", "pairs.csv"));

    private static VerificationOptions Options(string? cache = null, FailurePolicy policy = FailurePolicy.CountAsNonMatch, int dop = 4) => new()
    {
        Extraction = new ExtractionOptions { CachePath = cache, MaxDegreeOfParallelism = dop },
        FailurePolicy = policy,
        Bootstrap = new BootstrapOptions(Resamples: 200),
    };

    [SharedDataFact]
    public void Run_UnitPairs_ExtractsEachDistinctImageOnceAndScoresEveryPair()
    {
        var fake = new FakeExtractor();

        var r = new VerificationRunner(fake).Run(UnitPairs(), Options());

        Assert.Equal(30, fake.Calls);
        Assert.Equal(30, fake.Seen.Distinct().Count());
        Assert.Equal(75, r.Report.Pairs);
        Assert.Equal(75, r.Report.EvaluatedPairs);
        Assert.Equal(30, r.Report.GenuinePairs);
        Assert.Equal(0, r.Report.FailuresToAcquire);
        Assert.Equal(10, r.Report.FoldThresholds.Count);
        Assert.Equal(1.0, r.Report.Auc); // identity drives the fake's template, so genuine pairs always win
        Assert.Equal(1.0, r.Report.Accuracy);
        Assert.Equal(0.0, r.Report.Eer);
        Assert.Null(r.Report.TprAtFpr["1e-3"]); // 45 impostors
        Assert.Contains("45 impostor", r.Report.TprAtFprDetail[0].NotEstimableReason);
    }

    [SharedDataFact]
    public void Run_SecondRunWithCache_CallsTheExtractorZeroTimes()
    {
        using var dir = new TempDirectory();
        var cache = Path.Combine(dir.Path, "cache", "embeddings.bin");
        var first = new VerificationRunner(new FakeExtractor(["Aaron_Peirsol_0002.jpg"])).Run(UnitPairs(), Options(cache));

        var fake = new FakeExtractor(["Aaron_Peirsol_0002.jpg"]);
        var second = new VerificationRunner(fake).Run(UnitPairs(), Options(cache));

        Assert.Equal(0, fake.Calls);
        Assert.Equal(30, second.Report.Timing.CacheHits);
        Assert.Equal(first.Report.Auc, second.Report.Auc);
        Assert.Equal(first.Report.FoldThresholds, second.Report.FoldThresholds);
        Assert.Equal(1, second.Report.FailuresToAcquire); // cached failures stay failures
    }

    [SharedDataFact]
    public void Run_OtherModelId_MissesTheCache()
    {
        using var dir = new TempDirectory();
        var cache = dir.File("embeddings.bin");
        new VerificationRunner(new FakeExtractor()).Run(UnitPairs(), Options(cache));

        var other = new FakeExtractor(modelId: "fake/other@2");
        new VerificationRunner(other).Run(UnitPairs(), Options(cache));

        Assert.Equal(30, other.Calls);
    }

    [SharedDataTheory]
    [InlineData("garbage")]
    [InlineData("flip")]
    [InlineData("truncate")]
    public void Run_CorruptCache_IsIgnoredAndRebuilt(string damage)
    {
        using var dir = new TempDirectory();
        var cache = dir.File("embeddings.bin");
        new VerificationRunner(new FakeExtractor()).Run(UnitPairs(), Options(cache));
        var bytes = File.ReadAllBytes(cache);
        switch (damage)
        {
            case "garbage": File.WriteAllText(cache, "not a cache"); break;
            case "flip": bytes[bytes.Length / 2] ^= 0x40; File.WriteAllBytes(cache, bytes); break;
            default: File.WriteAllBytes(cache, bytes[..(bytes.Length - 100)]); break;
        }

        var fake = new FakeExtractor();
        var r = new VerificationRunner(fake).Run(UnitPairs(), Options(cache));
        Assert.Equal(30, fake.Calls);
        Assert.True(r.Report.Timing.CacheWasCorrupt);

        var third = new FakeExtractor();
        new VerificationRunner(third).Run(UnitPairs(), Options(cache));
        Assert.Equal(0, third.Calls); // rebuilt
    }

    [SharedDataFact]
    public void Run_FailureToAcquire_CountsGenuinePairsAsFalseNonMatchesByDefault()
    {
        // Aaron_Peirsol_0001 is in 2 genuine pairs (with 0002 and 0003) and some impostor pairs.
        var list = UnitPairs();
        var failed = list.Pairs.Where(p => p.PathA.EndsWith("Aaron_Peirsol_0001.jpg") || p.PathB.EndsWith("Aaron_Peirsol_0001.jpg")).ToArray();
        int failedGenuine = failed.Count(p => p.Same), failedImpostor = failed.Count(p => !p.Same);

        var r = new VerificationRunner(new FakeExtractor(["Aaron_Peirsol_0001.jpg"])).Run(list, Options());

        Assert.Equal(1, r.Report.FailuresToAcquire);
        Assert.Equal("no_face", r.Report.FailedImages.Single().Kind);
        Assert.EndsWith("Aaron_Peirsol_0001.jpg", r.Report.FailedImages.Single().Path);
        Assert.Equal("count_as_non_match", r.Report.FailurePolicy);
        Assert.Equal(2, failedGenuine);
        Assert.Equal(failedGenuine, r.Report.FailedGenuinePairs);
        Assert.Equal(failedImpostor, r.Report.FailedImpostorPairs);
        Assert.Equal(75, r.Report.EvaluatedPairs);
        // Two of 75 pairs are genuine pairs rejected at every threshold: accuracy at the best threshold is 73/75.
        Assert.Equal(73.0 / 75, r.Report.ThresholdAccuracy, 12);
        Assert.Equal(2.0 / 30, ErrorRates.Fnmr(r.Scores.Where(s => s.Pair.Same).Select(s => s.Score).ToArray(), r.Report.Threshold), 12);
    }

    [SharedDataFact]
    public void Run_ExcludePolicy_LeavesFailedPairsOutOfTheRates()
    {
        var r = new VerificationRunner(new FakeExtractor(["Aaron_Peirsol_0001.jpg"])).Run(UnitPairs(), Options(policy: FailurePolicy.Exclude));

        Assert.Equal("exclude", r.Report.FailurePolicy);
        Assert.Equal(75 - r.Report.FailedGenuinePairs - r.Report.FailedImpostorPairs, r.Report.EvaluatedPairs);
        Assert.Equal(1.0, r.Report.ThresholdAccuracy);
    }

    [SharedDataFact]
    public void Run_Parallel_RunsSeveralExtractionsAtOnceWithinTheBound()
    {
        var fake = new FakeExtractor { Delay = TimeSpan.FromMilliseconds(5), AwaitConcurrency = 3 };

        new VerificationRunner(fake).Run(UnitPairs(), Options(dop: 3));

        Assert.Equal(3, fake.MaxInFlight); // reaches the bound, never passes it
    }

    [SharedDataFact]
    public void Run_Progress_ReportsEveryImageUpToTheTotal()
    {
        var seen = new List<EvaluationProgress>();
        var progress = new SyncProgress<EvaluationProgress>(p => { lock (seen) seen.Add(p); });

        new VerificationRunner(new FakeExtractor()).Run(UnitPairs(), Options(), progress);

        Assert.Equal(31, seen.Count); // the 0/30 start, then one per image
        Assert.All(seen, p => Assert.Equal(30, p.Total));
        Assert.Equal(30, seen.Max(p => p.Done));
    }

    [Fact]
    public void Run_MissingImages_IsBadInputNamingThem()
    {
        var list = new PairList([new ImagePair("/nope/a.jpg", "/nope/b.jpg", true, 0)], 1, FoldOrigin.File, "test");
        var e = Assert.Throws<FaceKitException>(() => new VerificationRunner(new FakeExtractor()).Run(list));
        Assert.Equal(ErrorCode.BadInput, e.Code);
        Assert.Contains("/nope/a.jpg", e.Message);
    }

    [SharedDataFact]
    public void Json_HasTheStableSnakeCaseFields()
    {
        var r = new VerificationRunner(new FakeExtractor()).Run(UnitPairs(), Options());

        using var doc = JsonDocument.Parse(r.ToJson());
        var root = doc.RootElement;
        foreach (var name in new[] { "accuracy", "accuracy_std", "auc", "eer", "tpr_at_fpr", "threshold", "pairs", "failures_to_acquire",
                     "model_id", "fold_thresholds", "confidence_intervals", "timing", "failure_policy", "eer_threshold" })
            Assert.True(root.TryGetProperty(name, out _), $"missing {name}");
        Assert.Equal(JsonValueKind.Null, root.GetProperty("tpr_at_fpr").GetProperty("1e-3").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("tpr_at_fpr").GetProperty("1e-4").ValueKind);
        Assert.Equal(45, root.GetProperty("tpr_at_fpr_detail")[0].GetProperty("impostor_pairs").GetInt32());
        Assert.Equal(2, root.GetProperty("confidence_intervals").GetProperty("eer").GetArrayLength());
        Assert.Equal("fake/path-hash@1", root.GetProperty("model_id").GetString());
        Assert.Equal(75, root.GetProperty("pairs").GetInt32());
    }

    [SharedDataFact]
    public void WriteAll_WritesReportsAndPlotsOfTheStatedSize()
    {
        using var dir = new TempDirectory();
        // Noise large enough that genuine and impostor scores overlap, so every plot has a curve.
        var r = new VerificationRunner(new FakeExtractor(["Aaron_Peirsol_0003.jpg"], noise: 3)).Run(UnitPairs(), Options());

        var written = r.WriteAll(dir.File("out"));

        Assert.Equal(["report.json", "report.md", "roc.png", "det.png", "scores.png"], written.Select(Path.GetFileName));
        foreach (var png in new[] { "roc.png", "det.png", "scores.png" })
        {
            Assert.Equal((800, 600), Png.Size(Path.Combine(dir.Path, "out", png)));
            Assert.True(new FileInfo(Path.Combine(dir.Path, "out", png)).Length > 5000, $"{png} looks empty");
        }
        var md = File.ReadAllText(Path.Combine(dir.Path, "out", "report.md"));
        Assert.Contains("(roc.png)", md);
        Assert.Contains("(det.png)", md);
        Assert.Contains("(scores.png)", md);
        Assert.Contains("Aaron_Peirsol_0003.jpg", md);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "out", "report.json")));
        Assert.Equal(1, doc.RootElement.GetProperty("failures_to_acquire").GetInt32());
    }
}

/// <summary>Reports on the caller's thread, unlike Progress&lt;T&gt; which posts to a context.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
