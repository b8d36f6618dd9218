namespace FaceKit.Core.Metrics;

/// <summary>A threshold chosen so that the false match rate does not exceed a target.</summary>
public readonly record struct FmrCalibration(double TargetFmr, double Threshold, double Fmr, long FalseMatches, long Impostors);

/// <summary>Error rates at one threshold; a pair is a match when its score ≥ threshold.</summary>
public static class ErrorRates
{
    public static double Fmr(ReadOnlySpan<double> impostor, double threshold) =>
        impostor.Length == 0 ? double.NaN : (double)CountAtLeast(impostor, threshold) / impostor.Length;

    public static double Fnmr(ReadOnlySpan<double> genuine, double threshold) =>
        genuine.Length == 0 ? double.NaN : 1 - (double)CountAtLeast(genuine, threshold) / genuine.Length;

    /// <summary>Correct decisions over all pairs: genuine accepted plus impostors rejected.</summary>
    public static double Accuracy(ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor, double threshold)
    {
        long correct = CountAtLeast(genuine, threshold) + impostor.Length - CountAtLeast(impostor, threshold);
        return (double)correct / (genuine.Length + impostor.Length);
    }

    /// <summary>
    /// The lowest threshold whose FMR ≤ target: just above the (k+1)-th highest impostor score, where
    /// k = ⌊target·I⌋ false matches are allowed. Ties at that score are all rejected, so FMR may come out
    /// below the target.
    /// </summary>
    public static FmrCalibration ThresholdForFmr(ReadOnlySpan<double> impostor, double targetFmr)
    {
        if (!(targetFmr >= 0 && targetFmr <= 1)) throw new ArgumentOutOfRangeException(nameof(targetFmr));
        var sorted = RocCurve.SortedDescending(impostor, nameof(impostor));
        long allowed = (long)Math.Floor(targetFmr * sorted.Length + 1e-9);
        double threshold = allowed >= sorted.Length
            ? sorted[^1]
            : Math.BitIncrement(sorted[allowed]);
        long fm = CountAtLeast(sorted, threshold);
        return new FmrCalibration(targetFmr, threshold, (double)fm / sorted.Length, fm, sorted.Length);
    }

    internal static long CountAtLeast(ReadOnlySpan<double> scores, double threshold)
    {
        long n = 0;
        foreach (var s in scores) if (s >= threshold) n++;
        return n;
    }
}
