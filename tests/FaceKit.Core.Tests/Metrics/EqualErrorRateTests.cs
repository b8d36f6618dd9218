using FaceKit.Core.Metrics;

namespace FaceKit.Core.Tests.Metrics;

public class EqualErrorRateTests
{
    [Fact]
    public void Eer_WhenAPointHasFmrEqualFnmr_IsThatPointAndItsThreshold()
    {
        var eer = EqualErrorRate.Compute(RocCurve.Compute([0.9, 0.8, 0.6, 0.4], [0.7, 0.5, 0.3, 0.2]));

        Assert.Equal(0.25, eer.Eer, 12);
        Assert.Equal(0.6, eer.Threshold, 12);
    }

    [Fact]
    public void Eer_CrossingBetweenPoints_InterpolatesRateAndThreshold()
    {
        // (FMR, FNMR) goes (0.5, 2/3) at 0.85 then (0.5, 1/3) at 0.8: crossing half way.
        var eer = EqualErrorRate.Compute(RocCurve.Compute([0.9, 0.8, 0.3], [0.85, 0.2]));

        Assert.Equal(0.5, eer.Eer, 12);
        Assert.Equal(0.825, eer.Threshold, 12);
    }

    [Fact]
    public void Eer_CrossingOnATieStep_InterpolatesAlongTheDiagonal()
    {
        // (0, 0.5) at 0.9 then (0.5, 0) at the tied 0.5: FMR = FNMR = 0.25 half way.
        var eer = EqualErrorRate.Compute(RocCurve.Compute([0.9, 0.5], [0.5, 0.1]));

        Assert.Equal(0.25, eer.Eer, 12);
        Assert.Equal(0.7, eer.Threshold, 12);
    }

    [Fact]
    public void Eer_PerfectSeparation_IsZero()
    {
        var eer = EqualErrorRate.Compute(RocCurve.Compute([0.9, 0.8], [0.3, 0.1]));

        Assert.Equal(0, eer.Eer);
        Assert.Equal(0.8, eer.Threshold);
    }
}
