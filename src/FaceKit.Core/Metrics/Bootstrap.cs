namespace FaceKit.Core.Metrics;

/// <summary>Resamples and seed of a bootstrap; the same seed and inputs give the same interval.</summary>
public sealed record BootstrapOptions(int Resamples = 1000, int Seed = 12345, double Level = 0.95);

/// <summary>A two-sided percentile interval at <see cref="Level"/> (e.g. 0.95).</summary>
public readonly record struct ConfidenceInterval(double Lower, double Upper, double Level);

/// <summary>Intervals of one verification run, all from the same resamples.</summary>
/// <param name="TprAtFpr">One per target, in the order given; null where the target is not estimable.</param>
public sealed record VerificationIntervals(ConfidenceInterval AccuracyAtThreshold, ConfidenceInterval Eer, IReadOnlyList<ConfidenceInterval?> TprAtFpr);

/// <summary>
/// Percentile bootstrap that resamples genuine and impostor pairs separately (with replacement, each
/// set to its own size), so every replicate keeps the original class balance.
/// </summary>
/// <remarks>
/// All-vs-all protocols give a million impostor pairs or more, so a replicate must not cost a full ROC: the
/// statistics that read the ROC from its strict end (EER, TPR at a low FPR) build it only until they are decided.
/// A set larger than <see cref="MultinomialLimit"/> is resampled as a Poisson bootstrap (independent Poisson(1)
/// multiplicities, so the replicate's size varies around n): drawing n indices at random touches a multi-megabyte
/// array at random, which cost 150 ms per million pairs on the 2-core VM against ~10 ms for the sequential Poisson
/// draw, and the two bootstraps agree to O(1/n) (Hanley and MacGibbon 2006).
/// </remarks>
public static class Bootstrap
{
    /// <summary>Largest set resampled exactly (multinomially); larger sets use Poisson(1) multiplicities.</summary>
    public const int MultinomialLimit = 1 << 16;

    public static ConfidenceInterval AccuracyAtThreshold(
        ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor, double threshold, BootstrapOptions? options = null) =>
        Verification(genuine, impostor, threshold, [], options).AccuracyAtThreshold;

    public static ConfidenceInterval Eer(ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor, BootstrapOptions? options = null) =>
        Verification(genuine, impostor, double.NaN, [], options).Eer;

    /// <summary>Null when the target is not estimable from this many impostors (see <see cref="TprAtFpr"/>).</summary>
    public static ConfidenceInterval? TprAtFpr(
        ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor, double targetFpr, BootstrapOptions? options = null) =>
        Verification(genuine, impostor, double.NaN, [targetFpr], options).TprAtFpr[0];

    /// <summary>
    /// Accuracy at <paramref name="threshold"/> (NaN: not wanted), EER and TPR at each target FPR, every statistic
    /// computed on the same replicates.
    /// </summary>
    public static VerificationIntervals Verification(
        ReadOnlySpan<double> genuine, ReadOnlySpan<double> impostor, double threshold, IReadOnlyList<double> targetFprs,
        BootstrapOptions? options = null)
    {
        options ??= new BootstrapOptions();
        if (options.Resamples < 2) throw new ArgumentOutOfRangeException(nameof(options), "at least two resamples");
        if (genuine.Length == 0 || impostor.Length == 0) throw new ArgumentException("both genuine and impostor scores are needed");
        var g = RocCurve.SortedDescending(genuine, nameof(genuine));
        var m = RocCurve.SortedDescending(impostor, nameof(impostor));
        var estimable = targetFprs.Select(t => m.Length >= TprAtFprResult.RequiredImpostors(t)).ToArray();

        var rng = new SplitMix64((ulong)options.Seed);
        var gw = new int[g.Length];
        var mw = new int[m.Length];
        var accuracy = new double[options.Resamples];
        var eer = new double[options.Resamples];
        var tpr = targetFprs.Select(_ => new double[options.Resamples]).ToArray();
        for (int r = 0; r < options.Resamples; r++)
        {
            long gTotal = Draw(ref rng, gw), mTotal = Draw(ref rng, mw);
            if (gTotal == 0 || mTotal == 0) { r--; continue; } // an empty Poisson replicate has no rates: draw again
            if (!double.IsNaN(threshold)) accuracy[r] = Accuracy(g, gw, m, mw, threshold, gTotal + mTotal);
            eer[r] = EqualErrorRate.Compute(RocCurve.FromSortedDescending(g, gw, m, mw,
                stopAfter: (p, _) => p.Fnmr - p.Fmr <= 0)).Eer;
            for (int t = 0; t < tpr.Length; t++)
            {
                if (!estimable[t]) continue;
                // By count, not through TprAtFpr.Compute: a Poisson replicate may hold slightly fewer impostors than
                // the target's minimum, which only the original set has to meet.
                long allowed = Metrics.TprAtFpr.AllowedFalseMatches(targetFprs[t], mTotal);
                var roc = RocCurve.FromSortedDescending(g, gw, m, mw, stopAfter: (_, falseMatches) => falseMatches > allowed);
                tpr[t][r] = roc.Points[Metrics.TprAtFpr.BestPointWithin(roc, allowed)].Tpr;
            }
        }
        return new VerificationIntervals(
            Interval(accuracy, options.Level),
            Interval(eer, options.Level),
            tpr.Select((values, t) => estimable[t] ? Interval(values, options.Level) : (ConfidenceInterval?)null).ToArray());
    }

    private static double Accuracy(double[] g, int[] gw, double[] m, int[] mw, double threshold, long total)
    {
        long correct = 0;
        for (int i = 0; i < g.Length; i++) if (g[i] >= threshold) correct += gw[i];
        for (int i = 0; i < m.Length; i++) if (m[i] < threshold) correct += mw[i];
        return (double)correct / total;
    }

    private static ConfidenceInterval Interval(double[] values, double level)
    {
        Array.Sort(values);
        double tail = (1 - level) / 2;
        return new ConfidenceInterval(Quantile(values, tail), Quantile(values, 1 - tail), level);
    }

    /// <summary>
    /// Multiplicities of one replicate (cheaper than copying and re-sorting scores); returns their sum.
    /// Up to <see cref="MultinomialLimit"/> items: n draws with replacement. Above: Poisson(1) per item.
    /// </summary>
    private static long Draw(ref SplitMix64 rng, int[] weights)
    {
        if (weights.Length <= MultinomialLimit)
        {
            Array.Clear(weights);
            for (int i = 0; i < weights.Length; i++) weights[rng.Below((uint)weights.Length)]++;
            return weights.Length;
        }
        long total = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            ulong bits = rng.Next();
            int k = PoissonOneByBucket[bits >> (64 - PoissonBucketBits)];
            if (k < 0) k = PoissonOneInverse(SplitMix64.ToUnitDouble(bits));
            weights[i] = k;
            total += k;
        }
        return total;
    }

    private static int PoissonOneInverse(double u)
    {
        int k = 0;
        while (k < PoissonOneCdf.Length - 1 && u >= PoissonOneCdf[k]) k++;
        return k;
    }

    /// <summary>P(X ≤ k) for X ~ Poisson(1), k = 0…; the last entry is 1, so a draw never runs past the table.</summary>
    private static readonly double[] PoissonOneCdf = BuildPoissonOneCdf(12);

    // The inverse CDF by table: the top bits of a draw pick one of 4096 equal slices of [0, 1), and a slice that no
    // CDF step crosses has one answer. Only the few slices holding a step fall back to the search, which on its own
    // mispredicted enough branches to take 60 ms per million draws.
    private const int PoissonBucketBits = 12;
    private static readonly sbyte[] PoissonOneByBucket = BuildBuckets();

    private static sbyte[] BuildBuckets()
    {
        var table = new sbyte[1 << PoissonBucketBits];
        for (int b = 0; b < table.Length; b++)
        {
            int low = PoissonOneInverse((double)b / table.Length);
            int high = PoissonOneInverse(Math.BitDecrement((double)(b + 1) / table.Length));
            table[b] = (sbyte)(low == high ? low : -1);
        }
        return table;
    }

    private static double[] BuildPoissonOneCdf(int last)
    {
        var cdf = new double[last + 1];
        double term = Math.Exp(-1), sum = 0;
        for (int k = 0; k < last; k++)
        {
            sum += term;
            cdf[k] = sum;
            term /= k + 1;
        }
        cdf[last] = 1;
        return cdf;
    }

    /// <summary>Linear interpolation between order statistics (numpy's default "linear" method).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>
    /// Seeded SplitMix64 (Steele, Lea and Flood 2014): System.Random with a seed falls back to its slow legacy
    /// generator, which made drawing a million-pair replicate the whole cost of the bootstrap.
    /// </summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in [0, 1) from the top 53 bits of a draw.</summary>
        public static double ToUnitDouble(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

        /// <summary>Uniform in [0, n) by Lemire's multiply-shift (bias below 2⁻³² for n &lt; 2³¹, far under the bootstrap's own noise).</summary>
        public uint Below(uint n) => (uint)(((Next() >> 32) * n) >> 32);
    }
}
