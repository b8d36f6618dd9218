namespace FaceKit.Core.Metrics;

/// <summary>
/// The full ROC over every distinct score used as a threshold ("accept score ≥ t"), highest threshold
/// first. The first point is (0, 0) at +∞; each later point lowers the threshold to the next distinct
/// score, so all pairs sharing a score move together and a genuine/impostor tie becomes a diagonal step.
/// </summary>
/// <remarks>
/// Scores must not be NaN. −∞ is allowed: no finite threshold accepts it, so it is how a failure to
/// acquire is counted as a non-match (ISO/IEC 19795-1); only the final point at −∞ accepts it.
/// </remarks>
public sealed class RocCurve
{
    private readonly long[] _falseMatches;
    private readonly long[] _trueMatches;

    private RocCurve(RocPoint[] points, long[] falseMatches, long[] trueMatches, long genuine, long impostor)
    {
        Points = points;
        _falseMatches = falseMatches;
        _trueMatches = trueMatches;
        GenuineCount = genuine;
        ImpostorCount = impostor;
    }

    public IReadOnlyList<RocPoint> Points { get; }
    public long GenuineCount { get; }
    public long ImpostorCount { get; }

    /// <summary>Impostor pairs accepted at point <paramref name="index"/>.</summary>
    public long FalseMatchesAt(int index) => _falseMatches[index];

    /// <summary>Genuine pairs accepted at point <paramref name="index"/>.</summary>
    public long TrueMatchesAt(int index) => _trueMatches[index];

    /// <summary>
    /// Area under the curve by trapezoids; equals P(genuine score &gt; impostor score) with ties counted ½
    /// (the Mann–Whitney U statistic divided by G·I).
    /// </summary>
    public double Auc()
    {
        // Summed in integer counts so the result is exact up to one final division.
        double twiceArea = 0;
        for (int i = 1; i < _falseMatches.Length; i++)
            twiceArea += (double)(_falseMatches[i] - _falseMatches[i - 1]) * (_trueMatches[i] + _trueMatches[i - 1]);
        return twiceArea / (2.0 * GenuineCount * ImpostorCount);
    }

    public static RocCurve Compute(ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor)
    {
        var g = SortedDescending(genuine, nameof(genuine));
        var m = SortedDescending(impostor, nameof(impostor));
        return FromSortedDescending(g, null, m, null);
    }

    internal static double[] SortedDescending(ReadOnlySpan<double> scores, string name)
    {
        if (scores.Length == 0) throw new ArgumentException("at least one score is needed", name);
        var copy = scores.ToArray();
        foreach (var s in copy)
            if (double.IsNaN(s)) throw new ArgumentException("scores must not be NaN", name);
        Array.Sort(copy, (a, b) => b.CompareTo(a));
        return copy;
    }

    /// <summary>Builds the curve from scores sorted high to low, each with a multiplicity (null = 1 each).</summary>
    /// <param name="stopAfter">
    /// Given each new point and its false-match count, true ends the curve there: a bootstrap replicate
    /// needs only the strict end of the curve for EER or TPR at a low FPR. Such a truncated curve has the full
    /// totals but not the full area, and never leaves this assembly.
    /// </param>
    internal static RocCurve FromSortedDescending(double[] genuine, int[]? genuineWeights, double[] impostor, int[]? impostorWeights,
        Func<RocPoint, long, bool>? stopAfter = null)
    {
        long gTotal = Total(genuineWeights, genuine.Length), iTotal = Total(impostorWeights, impostor.Length);
        if (gTotal == 0 || iTotal == 0) throw new ArgumentException("both genuine and impostor scores are needed");
        int capacity = stopAfter is null ? genuine.Length + impostor.Length + 1 : 1024;
        var points = new List<RocPoint>(capacity) { new(0, 0, double.PositiveInfinity) };
        var fm = new List<long>(capacity) { 0 };
        var tm = new List<long>(capacity) { 0 };
        int gi = 0, ii = 0;
        long tp = 0, fp = 0;
        while (gi < genuine.Length || ii < impostor.Length)
        {
            double t = gi < genuine.Length && (ii >= impostor.Length || genuine[gi] >= impostor[ii]) ? genuine[gi] : impostor[ii];
            bool moved = false;
            for (; gi < genuine.Length && genuine[gi] == t; gi++) { int w = genuineWeights?[gi] ?? 1; tp += w; moved |= w > 0; }
            for (; ii < impostor.Length && impostor[ii] == t; ii++) { int w = impostorWeights?[ii] ?? 1; fp += w; moved |= w > 0; }
            if (!moved) continue; // a score absent from this bootstrap replicate is not a threshold of it
            var point = new RocPoint((double)fp / iTotal, (double)tp / gTotal, t);
            points.Add(point);
            fm.Add(fp);
            tm.Add(tp);
            if (stopAfter?.Invoke(point, fp) == true) break;
        }
        return new RocCurve(points.ToArray(), fm.ToArray(), tm.ToArray(), gTotal, iTotal);
    }

    private static long Total(int[]? weights, int length)
    {
        if (weights is null) return length;
        long sum = 0;
        foreach (var w in weights) sum += w;
        return sum;
    }
}
