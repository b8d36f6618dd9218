using FaceKit.Core.Metrics;

namespace FaceKit.Core.Tests.Metrics;

public class KFoldTests
{
    // Folds 0 and 1 are separable; fold 2 is inverted (genuine 0.4 below impostor 0.6).
    private static readonly ScoredPair[] ThreeFolds =
    [
        new(0.9, true, 0), new(0.2, false, 0),
        new(0.8, true, 1), new(0.3, false, 1),
        new(0.4, true, 2), new(0.6, false, 2),
    ];

    [Fact]
    public void BestThreshold_TiedCandidates_TakesTheStrictest()
    {
        // Sorted .3D .4S .6D .8S: candidates −0.7, .35, .5, .7, 1.8 give 2, 3, 2, 3, 2 correct.
        var best = AccuracyThreshold.Best(ThreeFolds.Where(p => p.Fold != 0).ToArray());

        Assert.Equal(0.7, best.Threshold, 12);
        Assert.Equal(0.75, best.Accuracy, 12);
    }

    [Fact]
    public void KFold_HandComputedFolds_UsesThresholdLearntOnTheOtherFolds()
    {
        var r = KFold.Evaluate(ThreeFolds);

        Assert.Equal([0.7, 0.75, 0.55], r.Folds.Select(f => Math.Round(f.Threshold, 12)));
        Assert.Equal([1.0, 1.0, 0.0], r.Folds.Select(f => f.Accuracy));
        Assert.Equal([0.75, 0.75, 1.0], r.Folds.Select(f => f.TrainAccuracy));
        Assert.Equal(2.0 / 3, r.MeanAccuracy, 12);
        Assert.Equal(Math.Sqrt(2.0 / 9), r.AccuracyStd, 12);          // population (numpy)
        Assert.Equal(Math.Sqrt(1.0 / 3), r.AccuracySampleStd, 12);    // n − 1
        Assert.Equal(0.7, r.BestOnAllPairs.Threshold, 12);
        Assert.Equal(5.0 / 6, r.BestOnAllPairs.Accuracy, 12);
    }

    [Fact]
    public void KFold_TenBalancedFolds_OfSeparableScoresIsPerfect()
    {
        var pairs = Enumerable.Range(0, 600)
            .Select(i => new ScoredPair(i % 2 == 0 ? 0.5 + i / 2000.0 : 0.4 - i / 2000.0, i % 2 == 0, i % 10))
            .ToArray();

        var r = KFold.Evaluate(pairs);

        Assert.Equal(10, r.Folds.Count);
        Assert.Equal(1.0, r.MeanAccuracy);
        Assert.Equal(0.0, r.AccuracyStd);
        Assert.All(r.Folds, f => Assert.InRange(f.Threshold, 0.4, 0.5));
    }

    [Fact]
    public void BestThreshold_NegativeInfinityGenuine_IsAlwaysAnError()
    {
        var best = AccuracyThreshold.Best([new(double.NegativeInfinity, true, 0), new(0.9, true, 0), new(0.1, false, 0)]);

        Assert.Equal(2.0 / 3, best.Accuracy, 12);
        Assert.True(double.IsFinite(best.Threshold));
    }
}
