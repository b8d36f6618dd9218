namespace FaceKit.Core.Metrics;

/// <summary>Threshold-free summary of a genuine/impostor score set.</summary>
public sealed record VerificationMetrics(
    long GenuineCount, long ImpostorCount, double Auc, EerResult Eer, IReadOnlyList<TprAtFprResult> TprAtFpr)
{
    public static readonly double[] DefaultFprTargets = [1e-3, 1e-4];

    public static VerificationMetrics Compute(ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor, IReadOnlyList<double>? fprTargets = null)
    {
        var roc = RocCurve.Compute(genuine, impostor);
        return FromRoc(roc, fprTargets);
    }

    public static VerificationMetrics FromRoc(RocCurve roc, IReadOnlyList<double>? fprTargets = null) =>
        new(roc.GenuineCount, roc.ImpostorCount, roc.Auc(), EqualErrorRate.Compute(roc),
            (fprTargets ?? DefaultFprTargets).Select(t => Metrics.TprAtFpr.Compute(roc, t)).ToArray());
}
