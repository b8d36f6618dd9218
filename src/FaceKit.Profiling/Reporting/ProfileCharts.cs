using ScottPlot;

namespace FaceKit.Profiling.Reporting;

/// <summary>
/// Per-layer bar charts of a profile, drawn with ScottPlot: MACC per layer (coloured by where the target runs it) and
/// the activation bytes alive while each layer runs, with the peak marked. Layers a deployment removes are left out.
/// </summary>
public static class ProfileCharts
{
    private static readonly Color Accelerator = Color.FromHex("#1f77b4");
    private static readonly Color Host = Color.FromHex("#ff7f0e");
    private static readonly Color NoTarget = Color.FromHex("#4c72b0");

    /// <summary>Writes NAME.macc.png and NAME.activations.png into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(ModelProfile profile, string directory, string name, int width = 1400, int height = 500)
    {
        Directory.CreateDirectory(directory);
        var layers = profile.Layers.Where(l => l.Counted).ToArray();
        var macc = Path.Combine(directory, name + ".macc.png");
        var activations = Path.Combine(directory, name + ".activations.png");
        Macc(profile, layers, macc, width, height);
        Activations(profile, layers, activations, width, height);
        return [macc, activations];
    }

    private static void Macc(ModelProfile profile, LayerProfile[] layers, string path, int width, int height)
    {
        var plot = new Plot();
        var bars = layers.Select((l, i) => new Bar
        {
            Position = i,
            Value = l.Macc / 1e6,
            FillColor = l.Placement switch { "accelerator" => Accelerator, "host" => Host, _ => NoTarget },
            LineWidth = 0,
        }).ToList();
        plot.Add.Bars(bars);
        if (profile.Target is { } t)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{t.Accelerator} ({t.Name})", FillColor = Accelerator });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{t.Host} fallback", FillColor = Host });
            plot.ShowLegend(Alignment.UpperRight);
        }
        Save(plot, $"{profile.Model}: MACC per layer, {profile.Macc / 1e6:F1} M in total", "MACC (millions)", path, width, height);
    }

    private static void Activations(ModelProfile profile, LayerProfile[] layers, string path, int width, int height)
    {
        var plot = new Plot();
        long peak = layers.Length == 0 ? 0 : layers.Max(l => l.LiveBytes);
        var bars = layers.Select((l, i) => new Bar
        {
            Position = i,
            Value = l.LiveBytes / 1024.0,
            FillColor = l.LiveBytes == peak ? Host : NoTarget,
            LineWidth = 0,
        }).ToList();
        plot.Add.Bars(bars);
        var line = plot.Add.HorizontalLine(peak / 1024.0);
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = $"peak {peak / 1024.0:F0} KB at {profile.Memory.PeakLayer}";
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, $"{profile.Model}: activation memory alive per layer", "live activations (KB)", path, width, height);
    }

    /// <summary>Both charts: one bar per layer in schedule order, bars standing on the x axis.</summary>
    private static void Save(Plot plot, string title, string yLabel, string path, int width, int height)
    {
        plot.Title(title);
        plot.XLabel("layer (schedule order)");
        plot.YLabel(yLabel);
        plot.Axes.Margins(bottom: 0);
        plot.SavePng(path, width, height);
    }
}
