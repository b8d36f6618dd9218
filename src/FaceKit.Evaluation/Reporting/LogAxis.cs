using ScottPlot;
using ScottPlot.TickGenerators;

namespace FaceKit.Evaluation.Reporting;

/// <summary>
/// ScottPlot 5 has no logarithmic axis: data are plotted as log10(value) and the axis is labelled with
/// the decades, so a point at −3 reads "1e-3".
/// </summary>
internal static class LogAxis
{
    public static double[] Log10(IEnumerable<double> values) => values.Select(Math.Log10).ToArray();

    public static void Apply(IAxis axis, int minExponent, int maxExponent)
    {
        var ticks = new NumericManual();
        for (int e = minExponent; e <= maxExponent; e++)
        {
            ticks.AddMajor(e, e == 0 ? "1" : $"1e{e}");
            for (int m = 2; m <= 9 && e < maxExponent; m++) ticks.AddMinor(e + Math.Log10(m));
        }
        axis.TickGenerator = ticks;
        axis.Min = minExponent;
        axis.Max = maxExponent;
    }

    /// <summary>The decade at or below the smallest positive value, so every point is on the plot.</summary>
    public static int FloorExponent(double smallestPositive) => (int)Math.Floor(Math.Log10(smallestPositive) + 1e-9);
}
