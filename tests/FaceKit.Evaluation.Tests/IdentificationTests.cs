using System.Text.Json;
using FaceKit.Evaluation.Extraction;
using FaceKit.Evaluation.Identification;
using FaceKit.Testing;

namespace FaceKit.Evaluation.Tests;

public class IdentificationTests
{
    [Fact]
    public void HeldOut_SameSeed_GivesTheSameIdentitiesWhateverTheInputOrder()
    {
        var ids = Enumerable.Range(0, 50).Select(i => $"id{i:D2}").ToArray();

        var a = IdentificationRunner.HeldOut(ids, 0.2, 7);
        var b = IdentificationRunner.HeldOut(ids.Reverse().ToArray(), 0.2, 7);

        Assert.Equal(10, a.Count);
        Assert.Equal(a.Order(), b.Order());
        Assert.NotEqual(a.Order(), IdentificationRunner.HeldOut(ids, 0.2, 8).Order());
    }

    [SharedDataFact]
    public void Run_Orl_SplitsGalleryAndProbesAndRanksWithTheFake()
    {
        var r = new IdentificationRunner(new FakeExtractor()).Run(SharedData.Path("orl"),
            new IdentificationOptions { Extraction = new ExtractionOptions { MaxDegreeOfParallelism = 4 } }).Report;

        Assert.Equal(40, r.Identities);
        Assert.Equal(8, r.HeldOutIdentities);
        Assert.Equal(32, r.EnrolledIdentities);
        Assert.Equal(32 * 9, r.MatedProbes);
        Assert.Equal(8 * 10, r.NonMatedProbes);
        Assert.Equal(1.0, r.Rank1);
        Assert.Equal(1.0, r.Rank5);
        Assert.Equal(10, r.Cmc.Count);
        Assert.Null(r.FnirAtFpir["1e-2"]); // 80 non-mated probes < 100
        Assert.Contains("80 non-mated", r.OpenSetDetail[0].NotEstimableReason);
    }

    [SharedDataFact]
    public void Run_CelebA_EstimatesFnirAtFpir1e2AndCountsFailures()
    {
        var tree = IdentityTree.Read(SharedData.Path("celeba-train", "images"));
        var enrolImage = Path.GetFileName(tree[0].Images[0]);
        var fake = new FakeExtractor([enrolImage], noise: 0.1);

        var result = new IdentificationRunner(fake).Run(tree, "celeba",
            new IdentificationOptions { HeldOutFraction = 0.2, Extraction = new ExtractionOptions { MaxDegreeOfParallelism = 8 } });
        var r = result.Report;

        Assert.Equal(150, r.Identities);
        Assert.Equal(30, r.HeldOutIdentities);
        Assert.True(r.NonMatedProbes >= 100);
        Assert.NotNull(r.FnirAtFpir["1e-2"]);
        using var doc = JsonDocument.Parse(result.ToJson());
        foreach (var name in new[] { "rank1", "rank5", "cmc", "fnir_at_fpir", "mated_probes", "non_mated_probes", "failures_to_enrol" })
            Assert.True(doc.RootElement.TryGetProperty(name, out _), name);
        Assert.Single(r.FailedImages);
        bool heldOut = IdentificationRunner.HeldOut(tree.Select(i => i.Identity).ToArray(), 0.2, new IdentificationOptions().Seed).Contains(tree[0].Identity);
        Assert.Equal(heldOut ? 0 : 1, r.FailuresToEnrol);
        Assert.Equal(heldOut ? 1 : 0, r.FailuresToAcquire);
        // That identity's probes can never find their mate: misses, not dropped. (Not equality: CelebA holds a
        // few byte-identical files under different identities, and templates are keyed by content.)
        if (!heldOut)
            Assert.True(r.Rank1 <= 1 - (tree[0].Images.Count - 1) / (double)r.MatedProbes + 1e-12);
    }
}
