namespace FaceKit.Core.Metrics;

/// <summary>Resamples and seed of a bootstrap; the same seed and inputs give the same interval.</summary>
public sealed record BootstrapOptions(int Resamples = 1000, int Seed = 12345, double Level = 0.95);

/// <summary>A two-sided percentile interval at <see cref="Level"/> (e.g. 0.95).</summary>
public readonly record struct ConfidenceInterval(double Lower, double Upper, double Level);

/// <summary>
/// Percentile bootstrap that resamples genuine and impostor pairs separately (with replacement, each
/// set to its own size), so every replicate keeps the original class balance.
/// </summary>
public static class Bootstrap
{
    public static ConfidenceInterval AccuracyAtThreshold(
        ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor, double threshold, BootstrapOptions? options = null)
    {
        var g = genuine.ToArray();
        var m = impostor.ToArray();
        return Run(g, m, options, (gw, mw) =>
        {
            long correct = 0;
            for (int i = 0; i < g.Length; i++) if (g[i] >= threshold) correct += gw[i];
            for (int i = 0; i < m.Length; i++) if (m[i] < threshold) correct += mw[i];
            return (double)correct / (g.Length + m.Length);
        });
    }

    public static ConfidenceInterval Eer(ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor, BootstrapOptions? options = null)
    {
        var g = RocCurve.SortedDescending(genuine, nameof(genuine));
        var m = RocCurve.SortedDescending(impostor, nameof(impostor));
        return Run(g, m, options, (gw, mw) => EqualErrorRate.Compute(RocCurve.FromSortedDescending(g, gw, m, mw)).Eer);
    }

    /// <summary>Null when the target is not estimable from this many impostors (see <see cref="TprAtFpr"/>).</summary>
    public static ConfidenceInterval? TprAtFpr(
        ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor, double targetFpr, BootstrapOptions? options = null)
    {
        if (impostor.Length < TprAtFprResult.RequiredImpostors(targetFpr)) return null;
        var g = RocCurve.SortedDescending(genuine, nameof(genuine));
        var m = RocCurve.SortedDescending(impostor, nameof(impostor));
        return Run(g, m, options, (gw, mw) =>
            Metrics.TprAtFpr.Compute(RocCurve.FromSortedDescending(g, gw, m, mw), targetFpr).Tpr!.Value);
    }

    private static ConfidenceInterval Run(double[] genuine, double[] impostor, BootstrapOptions? options, Func<int[], int[], double> statistic)
    {
        options ??= new BootstrapOptions();
        if (options.Resamples < 2) throw new ArgumentOutOfRangeException(nameof(options), "at least two resamples");
        if (genuine.Length == 0 || impostor.Length == 0) throw new ArgumentException("both genuine and impostor scores are needed");
        var rng = new Random(options.Seed);
        var gw = new int[genuine.Length];
        var mw = new int[impostor.Length];
        var values = new double[options.Resamples];
        for (int r = 0; r < values.Length; r++)
        {
            Draw(rng, gw);
            Draw(rng, mw);
            values[r] = statistic(gw, mw);
        }
        Array.Sort(values);
        double tail = (1 - options.Level) / 2;
        return new ConfidenceInterval(Quantile(values, tail), Quantile(values, 1 - tail), options.Level);
    }

    // Multiplicities of a resample of n items with replacement: cheaper than copying and re-sorting scores.
    private static void Draw(Random rng, int[] weights)
    {
        Array.Clear(weights);
        for (int i = 0; i < weights.Length; i++) weights[rng.Next(weights.Length)]++;
    }

    /// <summary>Linear interpolation between order statistics (numpy's default "linear" method).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
