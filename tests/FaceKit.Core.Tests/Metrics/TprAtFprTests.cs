using FaceKit.Core.Metrics;

namespace FaceKit.Core.Tests.Metrics;

public class TprAtFprTests
{
    private static readonly double[] ThousandImpostors = Enumerable.Range(0, 1000).Select(i => i / 1000.0).ToArray();

    [Fact]
    public void TprAtFpr_OneFalseMatchAllowed_TakesHighestTprWithAtMostOne()
    {
        // Impostors 0.000…0.999; at 0.9985 only impostor 0.999 is accepted, with two of four genuine pairs.
        var roc = RocCurve.Compute([0.9995, 0.9985, 0.9975, 0.5], ThousandImpostors);

        var r = TprAtFpr.Compute(roc, 1e-3);

        Assert.True(r.Estimable);
        Assert.Equal(0.5, r.Tpr);
        Assert.Equal(0.9985, r.Threshold);
        Assert.Equal(1e-3, r.Fpr);
    }

    [Fact]
    public void TprAtFpr_FewerImpostorsThanOneOverTarget_IsNotEstimableAndSaysHowMany()
    {
        var roc = RocCurve.Compute([0.9], ThousandImpostors);

        var r = TprAtFpr.Compute(roc, 1e-4);

        Assert.Null(r.Tpr);
        Assert.Equal(1000, r.ImpostorCount);
        Assert.Contains("1000 impostor", r.NotEstimableReason);
        Assert.Contains("10000", r.NotEstimableReason);
    }

    [Fact]
    public void TprAtFpr_999Impostors_IsNotEstimableAt1e3()
    {
        var roc = RocCurve.Compute([0.9], ThousandImpostors[..999]);
        Assert.False(TprAtFpr.Compute(roc, 1e-3).Estimable);
    }

    [Fact]
    public void VerificationMetrics_DefaultTargets_Are1e3And1e4()
    {
        var m = VerificationMetrics.Compute([0.9, 0.8, 0.6, 0.4], [0.7, 0.5, 0.3, 0.2]);

        Assert.Equal([1e-3, 1e-4], m.TprAtFpr.Select(t => t.TargetFpr));
        Assert.All(m.TprAtFpr, t => Assert.False(t.Estimable));
        Assert.Equal(13.0 / 16, m.Auc, 12);
        Assert.Equal(0.25, m.Eer.Eer, 12);
    }
}
