using FaceKit.Core.Metrics;

namespace FaceKit.Core.Tests.Metrics;

public class BootstrapTests
{
    private static (double[] Genuine, double[] Impostor) Scores(int genuine, int impostor)
    {
        var rng = new Random(7);
        return (Enumerable.Range(0, genuine).Select(_ => 0.6 + 0.3 * rng.NextDouble()).ToArray(),
                Enumerable.Range(0, impostor).Select(_ => 0.7 * rng.NextDouble()).ToArray());
    }

    [Fact]
    public void Bootstrap_SameSeed_GivesTheSameInterval()
    {
        var (g, m) = Scores(300, 300);
        var o = new BootstrapOptions(Resamples: 200, Seed: 42);

        Assert.Equal(Bootstrap.Eer(g, m, o), Bootstrap.Eer(g, m, o));
        Assert.Equal(Bootstrap.AccuracyAtThreshold(g, m, 0.65, o), Bootstrap.AccuracyAtThreshold(g, m, 0.65, o));
        Assert.NotEqual(Bootstrap.Eer(g, m, o), Bootstrap.Eer(g, m, o with { Seed = 43 }));
    }

    [Fact]
    public void Bootstrap_Intervals_BracketThePointEstimate()
    {
        var (g, m) = Scores(400, 1200);
        var o = new BootstrapOptions(Resamples: 300);

        double eer = EqualErrorRate.Compute(RocCurve.Compute(g, m)).Eer;
        var eerCi = Bootstrap.Eer(g, m, o);
        Assert.InRange(eer, eerCi.Lower, eerCi.Upper);
        Assert.True(eerCi.Upper > eerCi.Lower);

        double acc = ErrorRates.Accuracy(g, m, 0.65);
        var accCi = Bootstrap.AccuracyAtThreshold(g, m, 0.65, o);
        Assert.InRange(acc, accCi.Lower, accCi.Upper);

        double tpr = TprAtFpr.Compute(RocCurve.Compute(g, m), 1e-3).Tpr!.Value;
        var tprCi = Bootstrap.TprAtFpr(g, m, 1e-3, o)!.Value;
        Assert.InRange(tpr, tprCi.Lower, tprCi.Upper);
        Assert.Equal(0.95, tprCi.Level);
    }

    [Fact]
    public void Bootstrap_TprAtUnestimableFpr_IsNull()
    {
        var (g, m) = Scores(100, 500);
        Assert.Null(Bootstrap.TprAtFpr(g, m, 1e-3));
    }

    [Fact]
    public void Bootstrap_PerfectSeparation_HasZeroWidthEerInterval()
    {
        var ci = Bootstrap.Eer([0.9, 0.8, 0.85], [0.1, 0.2], new BootstrapOptions(100));
        Assert.Equal(0, ci.Lower);
        Assert.Equal(0, ci.Upper);
    }
    [Fact]
    public void Bootstrap_Verification_EveryStatisticEqualsItsOwnBootstrapOnTheSameSeed()
    {
        var (g, m) = Scores(300, 3000);
        var o = new BootstrapOptions(Resamples: 200, Seed: 9);

        var all = Bootstrap.Verification(g, m, 0.65, [1e-3, 1e-4], o);

        Assert.Equal(Bootstrap.AccuracyAtThreshold(g, m, 0.65, o), all.AccuracyAtThreshold);
        Assert.Equal(Bootstrap.Eer(g, m, o), all.Eer);
        Assert.Equal(Bootstrap.TprAtFpr(g, m, 1e-3, o), all.TprAtFpr[0]);
        Assert.Null(all.TprAtFpr[1]); // 3000 impostors cannot show FPR 1e-4
    }

    [Fact]
    public void Bootstrap_AllVsAllSizedImpostorSet_BracketsThePointEstimates()
    {
        // The size of an all-vs-all protocol, where each replicate builds only the strict end of its ROC.
        var rng = new Random(3);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var g = Enumerable.Range(0, 1000).Select(_ => 0.55 + 0.15 * Normal()).ToArray();
        var m = Enumerable.Range(0, 200_000).Select(_ => 0.05 + 0.1 * Normal()).ToArray();
        var roc = RocCurve.Compute(g, m);

        var ci = Bootstrap.Verification(g, m, 0.4, [1e-3, 1e-4], new BootstrapOptions(Resamples: 100));

        Assert.InRange(EqualErrorRate.Compute(roc).Eer, ci.Eer.Lower, ci.Eer.Upper);
        Assert.InRange(TprAtFpr.Compute(roc, 1e-3).Tpr!.Value, ci.TprAtFpr[0]!.Value.Lower, ci.TprAtFpr[0]!.Value.Upper);
        Assert.InRange(TprAtFpr.Compute(roc, 1e-4).Tpr!.Value, ci.TprAtFpr[1]!.Value.Lower, ci.TprAtFpr[1]!.Value.Upper);
        Assert.InRange(ErrorRates.Accuracy(g, m, 0.4), ci.AccuracyAtThreshold.Lower, ci.AccuracyAtThreshold.Upper);
        Assert.True(ci.TprAtFpr[1]!.Value.Upper > ci.TprAtFpr[1]!.Value.Lower);
    }
    [Fact]
    public void Bootstrap_TargetAtTheEdgeOfTheImpostorCount_IsEstimatedInEveryPoissonReplicate()
    {
        // 100,000 impostors just meet FPR 1e-5; about half the Poisson replicates hold fewer than that, and each must
        // still give a TPR (the minimum applies to the original set, not to a replicate).
        var (g, m) = Scores(200, 100_000);

        var ci = Bootstrap.TprAtFpr(g, m, 1e-5, new BootstrapOptions(Resamples: 40));

        Assert.NotNull(ci);
        Assert.InRange(TprAtFpr.Compute(RocCurve.Compute(g, m), 1e-5).Tpr!.Value, ci.Value.Lower, ci.Value.Upper);
    }
}
