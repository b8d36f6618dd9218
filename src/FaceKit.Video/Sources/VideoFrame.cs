using FaceKit.Core.Imaging;

namespace FaceKit.Video.Sources;

/// <summary>
/// One decoded BGR frame; <see cref="Index"/> counts every frame the source produced, dropped ones included.
/// A frame from a <see cref="FrameSource"/> lives in a pooled buffer: whoever takes it from the source owns
/// one reference and calls <see cref="Release"/> when done; anyone else reading its pixels meanwhile (an
/// HTTP request encoding the live view) holds its own with <see cref="TryRetain"/>. A frame made by hand
/// has no pool and these calls change nothing.
/// </summary>
public sealed record VideoFrame(ImageBuffer Image, long Index, long CapturedTimestamp)
{
    private int _references = 1;

    internal FramePool? Pool { get; init; }

    /// <summary>Takes a reference to the pixels; false when the frame was already recycled (read a newer one).</summary>
    public bool TryRetain()
    {
        if (Pool is null) return true;
        int n = Volatile.Read(ref _references);
        while (n > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, n + 1, n);
            if (seen == n) return true;
            n = seen;
        }
        return false;
    }

    /// <summary>Gives a reference back; the last one returns the buffer to the source's pool.</summary>
    public void Release()
    {
        if (Pool is null) return;
        int n = Interlocked.Decrement(ref _references);
        if (n == 0) Pool.Return(Image.Array);
        else if (n < 0) throw new InvalidOperationException($"frame {Index} released more often than retained");
    }
}
