namespace FaceKit.Core.Metrics;

/// <summary>The rank-sum view of AUC, independent of any curve: used to cross-check <see cref="RocCurve.Auc"/>.</summary>
public static class MannWhitney
{
    /// <summary>P(genuine &gt; impostor) + ½·P(genuine = impostor) over all G·I pairs.</summary>
    public static double Probability(ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor)
    {
        var g = RocCurve.SortedDescending(genuine, nameof(genuine));
        var m = RocCurve.SortedDescending(impostor, nameof(impostor));
        Array.Reverse(g);
        Array.Reverse(m);
        // For each genuine score: impostors strictly below count 1, equal ones ½.
        double wins = 0;
        int below = 0, upTo = 0;
        foreach (var s in g)
        {
            while (below < m.Length && m[below] < s) below++;
            if (upTo < below) upTo = below;
            while (upTo < m.Length && m[upTo] <= s) upTo++;
            wins += below + 0.5 * (upTo - below);
        }
        return wins / ((double)g.Length * m.Length);
    }
}
