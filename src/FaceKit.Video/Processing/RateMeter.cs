using System.Diagnostics;

namespace FaceKit.Video.Processing;

/// <summary>Events per second over a sliding window, and an exponential average of a duration.</summary>
internal sealed class RateMeter(TimeSpan window)
{
    private readonly Queue<long> _stamps = new();

    public void Mark(long timestamp)
    {
        lock (_stamps)
        {
            _stamps.Enqueue(timestamp);
            Trim(timestamp);
        }
    }

    public double PerSecond
    {
        get
        {
            lock (_stamps)
            {
                Trim(Stopwatch.GetTimestamp());
                if (_stamps.Count < 2) return 0;
                double seconds = (double)(_stamps.Last() - _stamps.Peek()) / Stopwatch.Frequency;
                return seconds > 0 ? (_stamps.Count - 1) / seconds : 0;
            }
        }
    }

    private void Trim(long now)
    {
        long oldest = now - (long)(window.TotalSeconds * Stopwatch.Frequency);
        while (_stamps.Count > 0 && _stamps.Peek() < oldest) _stamps.Dequeue();
    }
}

internal struct MovingAverage
{
    private double _value;
    private bool _set;

    public readonly double Value => _value;

    public void Add(double sample)
    {
        _value = _set ? _value * 0.9 + sample * 0.1 : sample;
        _set = true;
    }
}
