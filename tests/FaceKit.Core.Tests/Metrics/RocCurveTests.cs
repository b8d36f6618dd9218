using FaceKit.Core.Metrics;

namespace FaceKit.Core.Tests.Metrics;

public class RocCurveTests
{
    private static readonly double[] Genuine = [0.9, 0.8, 0.6, 0.4];
    private static readonly double[] Impostor = [0.7, 0.5, 0.3, 0.2];

    [Fact]
    public void Roc_InterleavedScores_HasOnePointPerDistinctScoreFromStrictestDown()
    {
        var roc = RocCurve.Compute(Genuine, Impostor);

        RocPoint[] expected =
        [
            new(0, 0, double.PositiveInfinity),
            new(0, 0.25, 0.9), new(0, 0.5, 0.8), new(0.25, 0.5, 0.7), new(0.25, 0.75, 0.6),
            new(0.5, 0.75, 0.5), new(0.5, 1, 0.4), new(0.75, 1, 0.3), new(1, 1, 0.2),
        ];
        Assert.Equal(expected, roc.Points);
        Assert.Equal(4, roc.GenuineCount);
        Assert.Equal(4, roc.ImpostorCount);
    }

    [Fact]
    public void Roc_TiedGenuineAndImpostorScores_MoveTogetherAsOneDiagonalStep()
    {
        var roc = RocCurve.Compute([0.9, 0.5], [0.5, 0.1]);

        Assert.Equal([new(0, 0, double.PositiveInfinity), new(0, 0.5, 0.9), new(0.5, 1, 0.5), new(1, 1, 0.1)], roc.Points);
        Assert.Equal(0.875, roc.Auc(), 12); // 0.9 beats both, 0.5 ties 0.5 (½) and beats 0.1
    }

    [Fact]
    public void Auc_HandComputed_IsFractionOfGenuineImpostorPairsOrderedCorrectly()
    {
        // 0.9 and 0.8 beat all four impostors, 0.6 beats three, 0.4 beats two: 13 of 16.
        Assert.Equal(13.0 / 16, RocCurve.Compute(Genuine, Impostor).Auc(), 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Auc_RandomScoresWithManyTies_EqualsMannWhitneyProbability(int seed)
    {
        var rng = new Random(seed);
        // Rounded to one decimal so ties between and within classes are frequent.
        var g = Enumerable.Range(0, 200).Select(_ => Math.Round(rng.NextDouble() * 0.8 + 0.2, 1)).ToArray();
        var m = Enumerable.Range(0, 300).Select(_ => Math.Round(rng.NextDouble() * 0.8, 1)).ToArray();

        double bruteForce = 0;
        foreach (var a in g) foreach (var b in m) bruteForce += a > b ? 1 : a == b ? 0.5 : 0;
        bruteForce /= g.Length * m.Length;

        Assert.Equal(bruteForce, MannWhitney.Probability(g, m), 12);
        Assert.Equal(bruteForce, RocCurve.Compute(g, m).Auc(), 12);
    }

    [Fact]
    public void Roc_NaNScore_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.5, double.NaN], [0.1]));
    }

    [Fact]
    public void Roc_NegativeInfinityScore_IsNeverAcceptedByAFiniteThreshold()
    {
        // A failure to acquire counted as a non-match: the genuine pair at −∞ stays rejected until the end point.
        var roc = RocCurve.Compute([0.9, double.NegativeInfinity], [0.1]);

        Assert.Equal(0.5, roc.Points.Where(p => double.IsFinite(p.Threshold)).Max(p => p.Tpr));
        Assert.Equal(new RocPoint(1, 1, double.NegativeInfinity), roc.Points[^1]);
        Assert.Equal(0.5, roc.Auc(), 12); // 0.9 beats 0.1; −∞ loses to it
    }
}
