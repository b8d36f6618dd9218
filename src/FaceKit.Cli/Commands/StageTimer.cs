using System.Diagnostics;

namespace FaceKit.Cli.Commands;

/// <summary>Collects wall-clock samples per named stage and summarises them (median, p95).</summary>
public sealed class StageTimer
{
    private readonly Dictionary<string, List<double>> _samples = new();
    private readonly List<string> _order = [];

    public T Time<T>(string stage, Func<T> action)
    {
        long start = Stopwatch.GetTimestamp();
        var result = action();
        Add(stage, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return result;
    }

    public void Add(string stage, double milliseconds)
    {
        if (!_samples.TryGetValue(stage, out var list))
        {
            _samples[stage] = list = [];
            _order.Add(stage);
        }
        list.Add(milliseconds);
    }

    public IEnumerable<StageStats> Summary() => _order.Select(s => StageStats.From(s, _samples[s]));
}

public sealed record StageStats(string Stage, int Count, double MedianMs, double P95Ms, double MeanMs)
{
    public static StageStats From(string stage, List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return new(stage, sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.95), sorted.Average());
    }

    private static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
