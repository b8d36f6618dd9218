namespace FaceKit.Training.Quantization;

/// <summary>
/// The running range of one tensor over the calibration set: exact min and max, and — for the percentile method —
/// a histogram on a grid symmetric about 0 ([−R, R], <see cref="Bins"/> bins). When a value falls outside, R doubles and
/// neighbouring bins merge pairwise, which is exact on that grid, so one pass over the data suffices and memory stays
/// fixed however many faces are seen.
/// </summary>
public sealed class RangeCollector(bool histogram)
{
    public const int Bins = 4096;

    private long[]? _counts;
    private double _radius;

    public float Min { get; private set; } = float.PositiveInfinity;
    public float Max { get; private set; } = float.NegativeInfinity;
    public long Count { get; private set; }

    public void Add(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return;
        float min = Min, max = Max;
        foreach (var v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        Min = min;
        Max = max;
        Count += values.Length;
        if (!histogram) return;

        double extent = Math.Max(Math.Abs((double)min), Math.Abs((double)max));
        if (_counts is null)
        {
            _counts = new long[Bins];
            _radius = extent > 0 ? Math.Pow(2, Math.Ceiling(Math.Log2(extent))) : 1e-6;
        }
        while (extent > _radius) Widen();
        double scale = Bins / (2 * _radius);
        foreach (var v in values)
        {
            int bin = (int)((v + _radius) * scale);
            _counts[Math.Clamp(bin, 0, Bins - 1)]++;
        }
    }

    /// <summary>
    /// Min/max, or the range that leaves (100 − <paramref name="percentile"/>) % of the values outside at each end,
    /// taken at the outer edges of the bins where the cumulative counts cross, and never wider than min/max.
    /// </summary>
    public TensorRange Range(CalibrationMethod method, double percentile)
    {
        if (Count == 0) return new TensorRange(0, 0);
        if (method == CalibrationMethod.MinMax || _counts is null) return new TensorRange(Min, Max);
        if (percentile is <= 50 or > 100) throw new ArgumentOutOfRangeException(nameof(percentile), "percentile must be in (50, 100]");
        double tail = Count * (100 - percentile) / 100;
        double width = 2 * _radius / Bins;
        long cumulative = 0;
        int low = 0;
        for (; low < Bins - 1; low++)
        {
            cumulative += _counts[low];
            if (cumulative > tail) break;
        }
        cumulative = 0;
        int high = Bins - 1;
        for (; high > 0; high--)
        {
            cumulative += _counts[high];
            if (cumulative > tail) break;
        }
        float lo = (float)(-_radius + low * width), hi = (float)(-_radius + (high + 1) * width);
        return new TensorRange(Math.Max(lo, Min), Math.Min(hi, Max));
    }

    private void Widen()
    {
        // Old bin i covers [−R + i·w, −R + (i+1)·w]; on the grid of radius 2R and width 2w that is bin Bins/4 + i/2.
        var merged = new long[Bins];
        for (int i = 0; i < Bins; i++) merged[Bins / 4 + i / 2] += _counts![i];
        _counts = merged;
        _radius *= 2;
    }
}
