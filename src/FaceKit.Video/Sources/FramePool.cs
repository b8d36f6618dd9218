namespace FaceKit.Video.Sources;

/// <summary>
/// Frame buffers of one exact size, reused instead of allocating ~1 MB per frame on the large-object heap
/// (which costs a gen-2 collection every few dozen frames at 100 fps). Exact sizes rather than
/// <see cref="System.Buffers.ArrayPool{T}"/>, whose power-of-two arrays would make <c>Image.Array.Length</c>
/// differ from the frame size that consumers (tests, encoders) expect.
/// </summary>
internal sealed class FramePool(int size, int capacity = 8)
{
    private readonly Stack<byte[]> _free = new();

    public int Size => size;

    public long Allocated { get; private set; }

    public byte[] Rent()
    {
        lock (_free)
        {
            if (_free.TryPop(out var buffer)) return buffer;
            Allocated++;
        }
        return new byte[size];
    }

    public void Return(byte[] buffer)
    {
        if (buffer.Length != size) return;
        lock (_free)
            if (_free.Count < capacity) _free.Push(buffer);
    }
}
