using System.Globalization;
using System.Text;
using FaceKit.Evaluation.Verification;

namespace FaceKit.Evaluation.Reporting;

/// <summary>A human-readable report that links the PNGs written beside it.</summary>
public static class VerificationMarkdown
{
    public static string Render(VerificationReport r, PlotOptions plots)
    {
        var s = new StringBuilder();
        string F(double v, string f = "F4") => v.ToString(f, CultureInfo.InvariantCulture);
        string Ci(double[]? ci) => ci is null ? "—" : $"[{F(ci[0])}, {F(ci[1])}]";
        var ci = r.ConfidenceIntervals;
        s.AppendLine($"# Verification report: {r.ModelId}");
        s.AppendLine();
        s.AppendLine($"Pairs from `{r.Source}`: {r.Pairs} ({r.GenuinePairs} genuine, {r.ImpostorPairs} impostor), {r.Images} images, {r.Folds} folds ({r.FoldOrigin.Replace('_', ' ')}).");
        s.AppendLine();
        s.AppendLine("| metric | value | 95 % CI |");
        s.AppendLine("|---|---|---|");
        s.AppendLine($"| accuracy ({r.Folds}-fold, mean ± population std) | {F(r.Accuracy)} ± {F(r.AccuracyStd)} | — |");
        s.AppendLine($"| accuracy at threshold {F(r.Threshold)} (all pairs) | {F(r.ThresholdAccuracy)} | {Ci(ci?.AccuracyAtThreshold)} |");
        s.AppendLine($"| AUC | {F(r.Auc, "F5")} | — |");
        s.AppendLine($"| EER | {F(r.Eer)} (threshold {(r.EerThreshold is { } t ? F(t) : "—")}) | {Ci(ci?.Eer)} |");
        foreach (var d in r.TprAtFprDetail)
        {
            string key = ReportJson.RateKey(d.TargetFpr);
            string value = d.Tpr is { } tpr ? $"{F(tpr)} (threshold {(d.Threshold is { } th ? F(th) : "—")})" : $"not estimable: {d.NotEstimableReason}";
            s.AppendLine($"| TPR @ FPR {key} | {value} | {Ci(ci is null ? null : ci.TprAtFpr.GetValueOrDefault(key))} |");
        }
        s.AppendLine();
        if (ci is not null)
            s.AppendLine($"Intervals: percentile bootstrap, {ci.Resamples} resamples, seed {ci.Seed}, genuine and impostor pairs resampled separately.");
        s.AppendLine();
        s.AppendLine("## Failures to acquire");
        s.AppendLine();
        string policy = r.FailurePolicy == "exclude"
            ? "excluded from every rate"
            : "counted as non-matches (ISO/IEC 19795-1): a genuine pair is a false non-match, an impostor pair a correct reject";
        s.AppendLine($"{r.FailuresToAcquire} images gave no template; {r.FailedGenuinePairs} genuine and {r.FailedImpostorPairs} impostor pairs involve one and are {policy}. {r.EvaluatedPairs} pairs entered the rates.");
        if (r.FailedImages.Count > 0)
        {
            s.AppendLine();
            foreach (var f in r.FailedImages) s.AppendLine($"- `{f.Path}`: {f.Kind} — {f.Message}");
        }
        s.AppendLine();
        s.AppendLine("## Folds");
        s.AppendLine();
        s.AppendLine("| fold | threshold | accuracy |");
        s.AppendLine("|---|---|---|");
        for (int i = 0; i < r.FoldAccuracies.Count; i++)
            s.AppendLine($"| {i + 1} | {F(r.FoldThresholds[i])} | {F(r.FoldAccuracies[i])} |");
        s.AppendLine();
        s.AppendLine($"## Plots ({plots.Width}×{plots.Height})");
        s.AppendLine();
        s.AppendLine("![ROC, log-scale FPR](roc.png)");
        s.AppendLine();
        s.AppendLine("![DET, FMR against FNMR, log scales](det.png)");
        s.AppendLine();
        s.AppendLine("![Genuine and impostor score histograms](scores.png)");
        s.AppendLine();
        s.AppendLine($"Extraction: {r.Timing.ExtractorCalls} extractor calls, {r.Timing.CacheHits} cache hits, {F(r.Timing.ExtractSeconds, "F1")} s; total {F(r.Timing.TotalSeconds, "F1")} s.");
        return s.ToString();
    }
}
