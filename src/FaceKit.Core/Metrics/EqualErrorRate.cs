namespace FaceKit.Core.Metrics;

/// <summary>The rate where FMR = FNMR and the threshold that gives it.</summary>
public readonly record struct EerResult(double Eer, double Threshold);

public static class EqualErrorRate
{
    /// <summary>
    /// Walks the ROC from the strictest threshold down to the first point where FNMR − FMR ≤ 0 and
    /// interpolates linearly between it and the point before (where FNMR − FMR &gt; 0); the threshold
    /// is interpolated the same way between the two points' thresholds.
    /// </summary>
    public static EerResult Compute(RocCurve roc)
    {
        var p = roc.Points;
        for (int i = 1; i < p.Count; i++)
        {
            double d = p[i].Fnmr - p[i].Fmr;
            if (d > 0) continue;
            var a = p[i - 1];
            var b = p[i];
            if (d == 0) return new EerResult(b.Fmr, b.Threshold);
            double da = a.Fnmr - a.Fmr;
            double alpha = da / (da - d);
            double eer = a.Fmr + alpha * (b.Fmr - a.Fmr);
            return new EerResult(eer, InterpolateThreshold(a.Threshold, b.Threshold, alpha));
        }
        throw new InvalidOperationException("the ROC never reaches FMR ≥ FNMR (it ends at (1, 1), so this cannot happen)");
    }

    private static double InterpolateThreshold(double upper, double lower, double alpha)
    {
        // An infinite end (the "accept nothing" start or a failure's −∞) has no meaningful midpoint.
        if (double.IsInfinity(upper)) return lower;
        if (double.IsInfinity(lower)) return upper;
        return upper + alpha * (lower - upper);
    }
}
