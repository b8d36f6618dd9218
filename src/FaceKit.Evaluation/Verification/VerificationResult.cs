using FaceKit.Core.Metrics;
using FaceKit.Evaluation.Reporting;

namespace FaceKit.Evaluation.Verification;

/// <summary>The report plus the scores behind it (for plots and further analysis).</summary>
public sealed record VerificationResult(
    VerificationReport Report,
    IReadOnlyList<ScoredImagePair> Scores,
    RocCurve Roc,
    VerificationMetrics Metrics,
    KFoldResult KFold)
{
    public string ToJson() => ReportJson.Serialize(Report);

    /// <summary>
    /// Writes report.json, report.md, roc.png, det.png and scores.png into <paramref name="outDir"/>
    /// (created when missing); returns the paths written.
    /// </summary>
    public IReadOnlyList<string> WriteAll(string outDir, PlotOptions? plots = null)
    {
        plots ??= new PlotOptions();
        Directory.CreateDirectory(outDir);
        string P(string name) => Path.Combine(outDir, name);
        File.WriteAllText(P("report.json"), ToJson());
        VerificationPlots.Roc(Roc, Metrics.TprAtFpr, P("roc.png"), plots);
        VerificationPlots.Det(Roc, Metrics.Eer, P("det.png"), plots);
        VerificationPlots.ScoreHistograms(
            Scores.Where(s => s.Pair.Same).Select(s => s.Score), Scores.Where(s => !s.Pair.Same).Select(s => s.Score),
            Report.Threshold, P("scores.png"), plots);
        File.WriteAllText(P("report.md"), VerificationMarkdown.Render(Report, plots));
        return [P("report.json"), P("report.md"), P("roc.png"), P("det.png"), P("scores.png")];
    }
}
