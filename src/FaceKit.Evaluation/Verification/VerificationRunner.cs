using System.Diagnostics;
using FaceKit.Core.Errors;
using FaceKit.Core.Metrics;
using FaceKit.Evaluation.Extraction;
using FaceKit.Evaluation.Pairs;
using FaceKit.Evaluation.Reporting;

namespace FaceKit.Evaluation.Verification;

/// <summary>Runs a pair list through an extractor and measures it with the LFW k-fold protocol.</summary>
public sealed class VerificationRunner(ITemplateExtractor extractor)
{
    public VerificationResult Run(
        PairList pairs,
        VerificationOptions? options = null,
        IProgress<EvaluationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new VerificationOptions();
        var clock = Stopwatch.StartNew();
        var extraction = TemplateExtraction.Run(pairs.DistinctImages(), extractor, options.Extraction, progress, cancellationToken);

        var scored = new List<ScoredImagePair>(pairs.Pairs.Count);
        int failedGenuine = 0, failedImpostor = 0;
        foreach (var p in pairs.Pairs)
        {
            var a = extraction.Templates[p.PathA].Embedding;
            var b = extraction.Templates[p.PathB].Embedding;
            if (a is not null && b is not null)
            {
                scored.Add(new ScoredImagePair(p, a.Similarity(b), false));
                continue;
            }
            if (p.Same) failedGenuine++; else failedImpostor++;
            if (options.FailurePolicy == FailurePolicy.CountAsNonMatch)
                scored.Add(new ScoredImagePair(p, double.NegativeInfinity, true));
        }

        var genuine = scored.Where(s => s.Pair.Same).Select(s => s.Score).ToArray();
        var impostor = scored.Where(s => !s.Pair.Same).Select(s => s.Score).ToArray();
        if (genuine.Length == 0 || impostor.Length == 0)
            throw FaceKitException.BadInput("no genuine or no impostor pair left to evaluate");

        var roc = RocCurve.Compute(genuine, impostor);
        var metrics = VerificationMetrics.FromRoc(roc, options.FprTargets);
        var kfold = KFold.Evaluate(scored.Select(s => new ScoredPair(s.Score, s.Pair.Same, s.Pair.Fold)).ToArray());
        var ci = options.Bootstrap is { } bo ? Intervals(genuine, impostor, kfold.BestOnAllPairs.Threshold, options.FprTargets, bo) : null;

        var report = new VerificationReport
        {
            ModelId = extractor.ModelId,
            Source = pairs.Source,
            Folds = kfold.Folds.Count,
            FoldOrigin = pairs.FoldOrigin == FoldOrigin.File ? "file" : "balanced_contiguous",
            Pairs = pairs.Pairs.Count,
            GenuinePairs = pairs.GenuineCount,
            ImpostorPairs = pairs.ImpostorCount,
            Images = extraction.Templates.Count,
            FailurePolicy = PolicyName(options.FailurePolicy),
            FailuresToAcquire = extraction.Failures.Count,
            FailedImages = extraction.Failures.Select(f => new FailedImage(f.Path, KindName(f.Kind), f.Message)).ToArray(),
            FailedGenuinePairs = failedGenuine,
            FailedImpostorPairs = failedImpostor,
            EvaluatedPairs = scored.Count,
            Accuracy = kfold.MeanAccuracy,
            AccuracyStd = kfold.AccuracyStd,
            FoldAccuracies = kfold.Folds.Select(f => f.Accuracy).ToArray(),
            FoldThresholds = kfold.Folds.Select(f => f.Threshold).ToArray(),
            Threshold = kfold.BestOnAllPairs.Threshold,
            ThresholdAccuracy = kfold.BestOnAllPairs.Accuracy,
            Auc = metrics.Auc,
            Eer = metrics.Eer.Eer,
            EerThreshold = ReportJson.Finite(metrics.Eer.Threshold),
            TprAtFpr = metrics.TprAtFpr.ToDictionary(t => ReportJson.RateKey(t.TargetFpr), t => t.Tpr),
            TprAtFprDetail = metrics.TprAtFpr
                .Select(t => new TprAtFprDetail(t.TargetFpr, t.Tpr, ReportJson.Finite(t.Threshold), t.Fpr, t.ImpostorCount, t.NotEstimableReason))
                .ToArray(),
            ConfidenceIntervals = ci,
            Timing = new Timing(extraction.Templates.Count, extraction.ExtractorCalls, extraction.CacheHits,
                extraction.CacheWasCorrupt, extraction.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds),
        };
        return new VerificationResult(report, scored, roc, metrics, kfold);
    }

    internal static string PolicyName(FailurePolicy p) => p == FailurePolicy.CountAsNonMatch ? "count_as_non_match" : "exclude";

    internal static string KindName(TemplateFailureKind k) => k == TemplateFailureKind.NoFace ? "no_face" : "bad_image";

    private static ConfidenceIntervals Intervals(double[] genuine, double[] impostor, double threshold, IReadOnlyList<double> targets, BootstrapOptions o)
    {
        var ci = Bootstrap.Verification(genuine, impostor, threshold, targets, o);
        return new ConfidenceIntervals(o.Level, o.Resamples, o.Seed,
            [ci.AccuracyAtThreshold.Lower, ci.AccuracyAtThreshold.Upper],
            [ci.Eer.Lower, ci.Eer.Upper],
            targets.Select((t, i) => (Key: ReportJson.RateKey(t), Interval: ci.TprAtFpr[i]))
                .ToDictionary(x => x.Key, x => x.Interval is { } c ? new[] { c.Lower, c.Upper } : null));
    }
}
