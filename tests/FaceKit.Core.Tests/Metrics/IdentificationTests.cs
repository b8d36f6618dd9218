using FaceKit.Core.Metrics;

namespace FaceKit.Core.Tests.Metrics;

public class IdentificationTests
{
    [Fact]
    public void Cmc_HandMatrix_RanksMateAmongGalleryIdentities()
    {
        double[,] s =
        {
            { 0.9, 0.5, 0.1 },  // A: mate first
            { 0.7, 0.6, 0.2 },  // B: A scores higher, mate second
            { 0.3, 0.4, 0.2 },  // X: not enrolled
        };
        var outcomes = Identification.Summarize(s, ["A", "B", "X"], ["A", "B", "C"]);

        Assert.Equal(new SearchOutcome(true, 1, 0.9, 0.9), outcomes[0]);
        Assert.Equal(new SearchOutcome(true, 2, 0.6, 0.7), outcomes[1]);
        Assert.False(outcomes[2].Mated);
        Assert.Equal(0.4, outcomes[2].TopScore);

        var cmc = Identification.Cmc(outcomes, 3);
        Assert.Equal(2, cmc.MatedSearches);
        Assert.Equal([0.5, 1.0, 1.0], cmc.Rates);
        Assert.Equal(1.0, cmc.Rank(5)); // beyond the curve: its last value
    }

    [Fact]
    public void Summarize_SeveralTemplatesPerIdentity_RankByIdentityBestScore()
    {
        var o = Identification.Summarize(new double[,] { { 0.2, 0.8, 0.7, 0.75 } }, ["A"], ["A", "A", "B", "B"]);
        Assert.Equal(1, o[0].MateRank);
    }

    [Fact]
    public void Summarize_NonMateTiedWithMate_RanksAheadOfIt()
    {
        var o = Identification.Summarize(new double[,] { { 0.5, 0.5 } }, ["A"], ["A", "B"]);
        Assert.Equal(2, o[0].MateRank);
    }

    [Fact]
    public void FnirAtFpir_HundredNonMated_CalibratesOnTheirTopScores()
    {
        var outcomes = Enumerable.Range(0, 100).Select(i => new SearchOutcome(false, 0, double.NegativeInfinity, i / 100.0))
            .Concat([
                new SearchOutcome(true, 1, 0.995, 0.995), // hit
                new SearchOutcome(true, 1, 0.98, 0.98),   // below the threshold (just above 0.98)
                new SearchOutcome(true, 2, 0.999, 0.999), // not rank 1
                new SearchOutcome(true, 1, 0.5, 0.5),
                SearchOutcome.Failed(mated: true),        // failure to acquire: a miss
            ]).ToArray();

        var r = Identification.FnirAtFpir(outcomes, 1e-2);

        Assert.Equal(0.8, r.Fnir!.Value, 12);
        Assert.Equal(0.01, r.Fpir!.Value, 12);
        Assert.True(r.Threshold > 0.98 && r.Threshold < 0.99);
        Assert.Equal(5, r.MatedSearches);
        Assert.Equal(100, r.NonMatedSearches);
    }

    [Fact]
    public void FnirAtFpir_TooFewNonMated_IsNotEstimable()
    {
        var outcomes = new[] { new SearchOutcome(true, 1, 0.9, 0.9), new SearchOutcome(false, 0, double.NegativeInfinity, 0.3) };
        var r = Identification.FnirAtFpir(outcomes, 1e-2);
        Assert.Null(r.Fnir);
        Assert.Contains("1 non-mated", r.NotEstimableReason);
    }
}
