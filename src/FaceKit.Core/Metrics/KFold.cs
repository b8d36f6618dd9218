namespace FaceKit.Core.Metrics;

/// <summary>One held-out fold: the threshold learnt on the other folds and the accuracy it gives here.</summary>
public sealed record FoldResult(int Fold, int Pairs, double Threshold, double TrainAccuracy, double Accuracy);

/// <summary>
/// LFW "unrestricted" k-fold accuracy. <see cref="AccuracyStd"/> is the population standard deviation
/// (numpy's default, used by insightface's verification code and so by published LFW figures);
/// <see cref="AccuracySampleStd"/> is the n − 1 version for whoever needs it.
/// </summary>
public sealed record KFoldResult(
    double MeanAccuracy,
    double AccuracyStd,
    double AccuracySampleStd,
    IReadOnlyList<FoldResult> Folds,
    BestThreshold BestOnAllPairs);

public static class KFold
{
    /// <summary>
    /// For each fold, picks the accuracy-maximising threshold on the pairs of all other folds
    /// (<see cref="AccuracyThreshold.Best"/>) and measures accuracy on the held-out fold with it.
    /// </summary>
    public static KFoldResult Evaluate(IReadOnlyList<ScoredPair> pairs)
    {
        var folds = pairs.Select(p => p.Fold).Distinct().Order().ToArray();
        if (folds.Length < 2) throw new ArgumentException("k-fold accuracy needs at least two folds", nameof(pairs));
        var results = new List<FoldResult>(folds.Length);
        foreach (var fold in folds)
        {
            var train = pairs.Where(p => p.Fold != fold).ToArray();
            var test = pairs.Where(p => p.Fold == fold).ToArray();
            var best = AccuracyThreshold.Best(train);
            results.Add(new FoldResult(fold, test.Length, best.Threshold, best.Accuracy, AccuracyThreshold.AccuracyAt(test, best.Threshold)));
        }
        double mean = results.Average(r => r.Accuracy);
        double ss = results.Sum(r => (r.Accuracy - mean) * (r.Accuracy - mean));
        return new KFoldResult(
            mean,
            Math.Sqrt(ss / results.Count),
            Math.Sqrt(ss / (results.Count - 1)),
            results,
            AccuracyThreshold.Best(pairs));
    }
}
