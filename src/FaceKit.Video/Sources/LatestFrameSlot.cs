namespace FaceKit.Video.Sources;

/// <summary>
/// A one-frame mailbox between the reading thread and the processing thread: a new frame replaces
/// one not yet taken (counted as dropped), so a slow consumer sees fresh frames and latency stays
/// bounded instead of a queue growing without end.
/// </summary>
public sealed class LatestFrameSlot
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private VideoFrame? _frame;
    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Publish(VideoFrame frame)
    {
        bool wasEmpty;
        lock (_gate)
        {
            wasEmpty = _frame is null;
            if (!wasEmpty) _dropped++;
            _frame = frame;
        }
        if (wasEmpty) _signal.Release();
    }

    /// <summary>The newest frame, waiting up to <paramref name="timeout"/>; null when none came.</summary>
    public VideoFrame? Take(TimeSpan timeout, CancellationToken cancel = default)
    {
        if (!_signal.Wait(timeout, cancel)) return null;
        lock (_gate)
        {
            var f = _frame;
            _frame = null;
            return f;
        }
    }
}
