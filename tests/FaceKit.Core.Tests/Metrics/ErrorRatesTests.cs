using FaceKit.Core.Metrics;

namespace FaceKit.Core.Tests.Metrics;

public class ErrorRatesTests
{
    [Fact]
    public void FmrAndFnmr_AtAThreshold_CountScoresAtOrAboveItAsMatches()
    {
        Assert.Equal(0.25, ErrorRates.Fnmr([0.9, 0.8, 0.6, 0.4], 0.6)); // 0.6 itself is accepted
        Assert.Equal(0.25, ErrorRates.Fmr([0.7, 0.5, 0.3, 0.2], 0.6));
        Assert.Equal(0.75, ErrorRates.Accuracy([0.9, 0.8, 0.6, 0.4], [0.7, 0.5, 0.3, 0.2], 0.6));
    }

    [Fact]
    public void ThresholdForFmr_OneFalseMatchAllowed_RejectsTheSecondHighestImpostor()
    {
        var c = ErrorRates.ThresholdForFmr([0.7, 0.5, 0.3, 0.2], 0.25);

        Assert.True(c.Threshold > 0.5 && c.Threshold < 0.5000001);
        Assert.Equal(0.25, c.Fmr);
        Assert.Equal(1, c.FalseMatches);
        Assert.Equal(0.25, ErrorRates.Fmr([0.7, 0.5, 0.3, 0.2], c.Threshold));
    }

    [Fact]
    public void ThresholdForFmr_TiedTopImpostors_RejectsBothRatherThanExceedTheTarget()
    {
        var c = ErrorRates.ThresholdForFmr([0.7, 0.7, 0.5, 0.2], 0.25);

        Assert.True(c.Threshold > 0.7);
        Assert.Equal(0, c.Fmr);
    }

    [Fact]
    public void ThresholdForFmr_ZeroTarget_IsAboveTheHighestImpostor()
    {
        var c = ErrorRates.ThresholdForFmr([0.7, 0.5], 0);
        Assert.True(c.Threshold > 0.7);
        Assert.Equal(0, c.FalseMatches);
    }
}
