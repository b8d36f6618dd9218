namespace FaceKit.Core.Metrics;

/// <summary>The threshold that maximises verification accuracy on a set of pairs, and that accuracy.</summary>
public readonly record struct BestThreshold(double Threshold, double Accuracy);

public static class AccuracyThreshold
{
    /// <summary>
    /// Searches the candidates of the LFW protocol: min − 1 (accept all), the midpoints between
    /// consecutive distinct finite scores, and max + 1 (reject all). When several candidates reach the
    /// same accuracy the highest (strictest) wins, as numpy's first argmax over insightface's ascending
    /// distance thresholds does. −∞ scores are never accepted by any candidate.
    /// </summary>
    public static BestThreshold Best(IReadOnlyList<ScoredPair> pairs)
    {
        if (pairs.Count == 0) throw new ArgumentException("no pairs", nameof(pairs));
        var sorted = pairs.ToArray();
        Array.Sort(sorted, (a, b) => a.Score.CompareTo(b.Score));
        int firstFinite = 0;
        while (firstFinite < sorted.Length && double.IsNegativeInfinity(sorted[firstFinite].Score)) firstFinite++;

        long correct = 0; // at "accept every finite score"
        for (int i = 0; i < sorted.Length; i++)
        {
            if (double.IsNaN(sorted[i].Score)) throw new ArgumentException("scores must not be NaN", nameof(pairs));
            bool accepted = i >= firstFinite;
            if (accepted == sorted[i].Same) correct++;
        }
        if (firstFinite == sorted.Length) return new BestThreshold(0, (double)correct / sorted.Length);

        double bestThreshold = sorted[firstFinite].Score - 1;
        long bestCorrect = correct;
        for (int i = firstFinite; i < sorted.Length;)
        {
            double v = sorted[i].Score;
            for (; i < sorted.Length && sorted[i].Score == v; i++)
                correct += sorted[i].Same ? -1 : 1; // v is now below the threshold: rejected
            double candidate = i < sorted.Length ? Midpoint(v, sorted[i].Score) : v + 1;
            if (correct >= bestCorrect) { bestCorrect = correct; bestThreshold = candidate; }
        }
        return new BestThreshold(bestThreshold, (double)bestCorrect / sorted.Length);
    }

    public static double AccuracyAt(IEnumerable<ScoredPair> pairs, double threshold)
    {
        long n = 0, correct = 0;
        foreach (var p in pairs)
        {
            n++;
            if (p.Score >= threshold == p.Same) correct++;
        }
        return n == 0 ? double.NaN : (double)correct / n;
    }

    private static double Midpoint(double low, double high)
    {
        double mid = low + (high - low) / 2;
        return mid > low ? mid : high;
    }
}
