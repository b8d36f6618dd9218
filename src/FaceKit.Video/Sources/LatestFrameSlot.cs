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
    private readonly ManualResetEventSlim _empty = new(true);
    private VideoFrame? _frame;
    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Publish(VideoFrame frame)
    {
        bool wasEmpty;
        VideoFrame? replaced;
        lock (_gate)
        {
            replaced = _frame;
            wasEmpty = replaced is null;
            if (!wasEmpty) _dropped++;
            _frame = frame;
            _empty.Reset();
        }
        // Nobody saw the replaced frame: its buffer goes straight back to the pool.
        replaced?.Release();
        if (wasEmpty) _signal.Release();
    }

    /// <summary>
    /// Waits until the slot's frame was taken, so the next one replaces nothing (one producer only): for a
    /// benchmark that must process every frame of a file. False when cancelled first.
    /// </summary>
    public bool WaitUntilTaken(CancellationToken cancel)
    {
        try { _empty.Wait(cancel); }
        catch (OperationCanceledException) { return false; }
        return true;
    }

    /// <summary>The newest frame, waiting up to <paramref name="timeout"/>; null when none came. The caller owns it (see <see cref="VideoFrame.Release"/>).</summary>
    public VideoFrame? Take(TimeSpan timeout, CancellationToken cancel = default)
    {
        if (!_signal.Wait(timeout, cancel)) return null;
        lock (_gate)
        {
            var f = _frame;
            _frame = null;
            _empty.Set();
            return f;
        }
    }
}
