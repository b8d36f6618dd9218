namespace FaceKit.Core.Metrics;

/// <summary>
/// One operating point: at <paramref name="Threshold"/> every score ≥ threshold is accepted.
/// Fpr = FMR (impostors accepted), Tpr = 1 − FNMR (genuine pairs accepted).
/// </summary>
public readonly record struct RocPoint(double Fpr, double Tpr, double Threshold)
{
    public double Fmr => Fpr;
    public double Fnmr => 1 - Tpr;
}
