namespace FaceKit.Core.Metrics;

/// <summary>CMC: <see cref="Rates"/>[k − 1] is the fraction of mated searches whose mate ranks ≤ k.</summary>
public sealed record CmcCurve(IReadOnlyList<double> Rates, int MatedSearches)
{
    public double Rank(int k) => Rates[Math.Min(k, Rates.Count) - 1];
}

/// <summary>
/// Open-set FNIR at the threshold where FPIR ≤ target. FPIR: non-mated searches whose top score ≥ t;
/// FNIR: mated searches whose mate is not within <see cref="Rank"/> with a score ≥ t.
/// </summary>
public sealed record OpenSetResult(
    double TargetFpir, int Rank, double? Fnir, double? Fpir, double? Threshold,
    int MatedSearches, int NonMatedSearches, string? NotEstimableReason);

public static class Identification
{
    /// <summary>
    /// Reduces a probe × gallery similarity matrix to one outcome per probe. Several gallery templates
    /// of one identity count as that identity's best score, so ranks are over identities, and a non-mate
    /// scoring equal to the mate ranks ahead of it (ties are not given to the system).
    /// </summary>
    public static SearchOutcome[] Summarize(double[,] similarity, IReadOnlyList<string> probeIdentities, IReadOnlyList<string> galleryIdentities)
    {
        int probes = similarity.GetLength(0), gallery = similarity.GetLength(1);
        if (probes != probeIdentities.Count || gallery != galleryIdentities.Count)
            throw new ArgumentException("matrix shape does not match the identity lists");
        var ids = galleryIdentities.Distinct(StringComparer.Ordinal).ToArray();
        var column = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var owner = galleryIdentities.Select(id => column[id]).ToArray();
        var best = new double[ids.Length];
        var outcomes = new SearchOutcome[probes];
        for (int p = 0; p < probes; p++)
        {
            Array.Fill(best, double.NegativeInfinity);
            for (int g = 0; g < gallery; g++)
            {
                double s = similarity[p, g];
                if (double.IsNaN(s)) throw new ArgumentException("similarities must not be NaN", nameof(similarity));
                if (s > best[owner[g]]) best[owner[g]] = s;
            }
            double top = best.Length == 0 ? double.NegativeInfinity : best.Max();
            if (!column.TryGetValue(probeIdentities[p], out int mate))
            {
                outcomes[p] = new SearchOutcome(false, 0, double.NegativeInfinity, top);
                continue;
            }
            int rank = 1;
            for (int k = 0; k < best.Length; k++)
                if (k != mate && best[k] >= best[mate]) rank++;
            outcomes[p] = new SearchOutcome(true, rank, best[mate], top);
        }
        return outcomes;
    }

    public static CmcCurve Cmc(IReadOnlyList<SearchOutcome> outcomes, int maxRank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRank, 1);
        var mated = outcomes.Where(o => o.Mated).ToArray();
        if (mated.Length == 0) throw new ArgumentException("no mated searches", nameof(outcomes));
        var rates = new double[maxRank];
        for (int k = 1; k <= maxRank; k++)
            rates[k - 1] = (double)mated.Count(o => o.MateRank <= k) / mated.Length;
        return new CmcCurve(rates, mated.Length);
    }

    /// <summary>
    /// The threshold is calibrated on the non-mated top scores (as <see cref="ErrorRates.ThresholdForFmr"/>);
    /// not estimable with fewer than 1/target non-mated searches.
    /// </summary>
    public static OpenSetResult FnirAtFpir(IReadOnlyList<SearchOutcome> outcomes, double targetFpir, int rank = 1)
    {
        var mated = outcomes.Where(o => o.Mated).ToArray();
        var nonMatedTop = outcomes.Where(o => !o.Mated).Select(o => o.TopScore).ToArray();
        long required = TprAtFprResult.RequiredImpostors(targetFpir);
        if (nonMatedTop.Length < required || mated.Length == 0)
            return new OpenSetResult(targetFpir, rank, null, null, null, mated.Length, nonMatedTop.Length,
                mated.Length == 0
                    ? "no mated searches"
                    : $"{nonMatedTop.Length} non-mated searches; FPIR {targetFpir:G3} needs at least {required}");
        var cal = ErrorRates.ThresholdForFmr(nonMatedTop, targetFpir);
        int misses = mated.Count(o => o.MateRank > rank || o.MateScore < cal.Threshold);
        return new OpenSetResult(targetFpir, rank, (double)misses / mated.Length, cal.Fmr, cal.Threshold,
            mated.Length, nonMatedTop.Length, null);
    }
}
