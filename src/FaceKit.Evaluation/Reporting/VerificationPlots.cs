using FaceKit.Core.Metrics;
using ScottPlot;

namespace FaceKit.Evaluation.Reporting;

/// <summary>The three PNGs of a verification report, drawn with ScottPlot.</summary>
public static class VerificationPlots
{
    /// <summary>TPR against FPR on a log10 FPR axis from 1/impostors to 1; zero-FPR points cannot be drawn.</summary>
    public static void Roc(RocCurve roc, IReadOnlyList<TprAtFprResult> targets, string path, PlotOptions options)
    {
        var points = roc.Points.Where(p => p.Fpr > 0).ToArray();
        var plot = new Plot();
        int minExp = LogAxis.FloorExponent(1.0 / roc.ImpostorCount);
        var line = plot.Add.ScatterLine(LogAxis.Log10(points.Select(p => p.Fpr)), points.Select(p => p.Tpr).ToArray());
        line.LineWidth = 2;
        line.LegendText = $"ROC (AUC {roc.Auc():F4})";
        foreach (var t in targets.Where(t => t.Tpr is not null && t.Fpr > 0))
        {
            var m = plot.Add.Marker(Math.Log10(t.TargetFpr), t.Tpr!.Value);
            m.LegendText = $"TPR@FPR={t.TargetFpr:G3}: {t.Tpr:F4}";
        }
        LogAxis.Apply(plot.Axes.Bottom, minExp, 0);
        plot.Axes.SetLimitsY(0, 1.02);
        plot.Title("ROC");
        plot.XLabel("False positive rate (FMR), log scale");
        plot.YLabel("True positive rate (1 − FNMR)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, options.Width, options.Height);
    }

    /// <summary>FNMR against FMR, both log10; points where either rate is zero are off the scale.</summary>
    public static void Det(RocCurve roc, EerResult eer, string path, PlotOptions options)
    {
        var points = roc.Points.Where(p => p.Fmr > 0 && p.Fnmr > 0).ToArray();
        var plot = new Plot();
        int minX = LogAxis.FloorExponent(1.0 / roc.ImpostorCount), minY = LogAxis.FloorExponent(1.0 / roc.GenuineCount);
        if (points.Length > 0)
        {
            var line = plot.Add.ScatterLine(LogAxis.Log10(points.Select(p => p.Fmr)), LogAxis.Log10(points.Select(p => p.Fnmr)));
            line.LineWidth = 2;
            line.LegendText = "DET";
        }
        if (eer.Eer > 0)
        {
            var m = plot.Add.Marker(Math.Log10(eer.Eer), Math.Log10(eer.Eer));
            m.LegendText = $"EER {eer.Eer:P2}";
        }
        LogAxis.Apply(plot.Axes.Bottom, minX, 0);
        LogAxis.Apply(plot.Axes.Left, minY, 0);
        plot.Title("DET");
        plot.XLabel("False match rate (FMR), log scale");
        plot.YLabel("False non-match rate (FNMR), log scale");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, options.Width, options.Height);
    }

    /// <summary>
    /// Genuine and impostor score densities on shared bins (each class sums to 1, since class sizes differ),
    /// with the operating threshold. −∞ scores (failures) are not drawable and are left out.
    /// </summary>
    public static void ScoreHistograms(IEnumerable<double> genuine, IEnumerable<double> impostor, double threshold, string path, PlotOptions options, int bins = 60)
    {
        var g = genuine.Where(double.IsFinite).ToArray();
        var m = impostor.Where(double.IsFinite).ToArray();
        var all = g.Concat(m).ToArray();
        var plot = new Plot();
        if (all.Length > 0)
        {
            double lo = all.Min(), hi = all.Max();
            if (hi <= lo) hi = lo + 1e-6;
            double width = (hi - lo) / bins;
            AddHistogram(plot, m, lo, width, bins, Colors.Red.WithAlpha(0.5), $"impostor ({m.Length})");
            AddHistogram(plot, g, lo, width, bins, Colors.Blue.WithAlpha(0.5), $"genuine ({g.Length})");
            var v = plot.Add.VerticalLine(threshold);
            v.LegendText = $"threshold {threshold:F4}";
            v.LinePattern = LinePattern.Dashed;
        }
        plot.Axes.Margins(bottom: 0);
        plot.Title("Similarity scores");
        plot.XLabel("Similarity");
        plot.YLabel("Fraction of pairs per bin");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, options.Width, options.Height);
    }

    private static void AddHistogram(Plot plot, double[] values, double lo, double width, int bins, Color color, string label)
    {
        if (values.Length == 0) return;
        var counts = new double[bins];
        foreach (var v in values) counts[Math.Clamp((int)((v - lo) / width), 0, bins - 1)]++;
        var positions = Enumerable.Range(0, bins).Select(i => lo + (i + 0.5) * width).ToArray();
        var bars = plot.Add.Bars(positions, counts.Select(c => c / values.Length).ToArray());
        foreach (var bar in bars.Bars)
        {
            bar.Size = width;
            bar.FillColor = color;
            bar.LineWidth = 0;
        }
        bars.LegendText = label;
    }
}
