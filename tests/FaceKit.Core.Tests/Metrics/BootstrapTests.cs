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
}
