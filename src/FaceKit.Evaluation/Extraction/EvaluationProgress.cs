namespace FaceKit.Evaluation.Extraction;

/// <summary>Images done of the total, for a progress bar; <see cref="Eta"/> extrapolates the rate so far.</summary>
public readonly record struct EvaluationProgress(int Done, int Total, int CacheHits, TimeSpan Elapsed)
{
    public double Fraction => Total == 0 ? 1 : (double)Done / Total;

    public TimeSpan? Eta => Done == 0 ? null : TimeSpan.FromTicks((long)(Elapsed.Ticks * (double)(Total - Done) / Done));
}
