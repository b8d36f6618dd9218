namespace FaceKit.Core.Metrics;

/// <summary>
/// TPR at a target FPR. Null <see cref="Tpr"/> with a <see cref="NotEstimableReason"/> when there are fewer
/// than 1/target impostor pairs, so the target is below the smallest non-zero FPR the data can show.
/// </summary>
public sealed record TprAtFprResult(
    double TargetFpr, double? Tpr, double? Threshold, double? Fpr, long ImpostorCount, string? NotEstimableReason)
{
    public bool Estimable => Tpr is not null;

    /// <summary>Impostor pairs needed before the target can be estimated at all.</summary>
    public static long RequiredImpostors(double targetFpr) => (long)Math.Ceiling(1.0 / targetFpr - 1e-9);
}

public static class TprAtFpr
{
    /// <summary>The highest TPR among ROC points with FPR ≤ target.</summary>
    public static TprAtFprResult Compute(RocCurve roc, double targetFpr)
    {
        if (!(targetFpr > 0 && targetFpr <= 1)) throw new ArgumentOutOfRangeException(nameof(targetFpr));
        long required = TprAtFprResult.RequiredImpostors(targetFpr);
        if (roc.ImpostorCount < required)
            return new TprAtFprResult(targetFpr, null, null, null, roc.ImpostorCount,
                $"{roc.ImpostorCount} impostor pairs; FPR {targetFpr:G3} needs at least {required}");
        var p = roc.Points[BestPointWithin(roc, AllowedFalseMatches(targetFpr, roc.ImpostorCount))];
        return new TprAtFprResult(targetFpr, p.Tpr, p.Threshold, p.Fpr, roc.ImpostorCount, null);
    }

    // Counts, not rates, decide "≤ target" so 1e-3 of 1000 is exactly one false match.
    internal static long AllowedFalseMatches(double targetFpr, long impostors) => (long)Math.Floor(targetFpr * impostors + 1e-9);

    /// <summary>Index of the last ROC point (highest TPR) with at most <paramref name="allowed"/> false matches.</summary>
    internal static int BestPointWithin(RocCurve roc, long allowed)
    {
        int best = 0;
        for (int i = 0; i < roc.Points.Count && roc.FalseMatchesAt(i) <= allowed; i++) best = i;
        return best;
    }
}
