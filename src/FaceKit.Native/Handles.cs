using System.Collections.Concurrent;

namespace FaceKit.Native;

/// <summary>
/// An object lent to C through an opaque handle. Calls hold the read side of the gate; release holds
/// the write side, so an object is never disposed under a call that is still using it.
/// </summary>
internal sealed class Lent<T>(T value) where T : class, IDisposable
{
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.SupportsRecursion);
    private bool _released;

    /// <summary>Runs <paramref name="work"/> with the object; InvalidHandle once it has been released.</summary>
    public TResult Use<TResult>(Func<T, TResult> work)
    {
        _gate.EnterReadLock();
        try
        {
            if (_released) throw new NativeError(Status.InvalidHandle, "the handle has been released");
            return work(value);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    public void Release()
    {
        _gate.EnterWriteLock();
        try
        {
            if (_released) return;
            _released = true;
            value.Dispose();
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }
}

/// <summary>
/// Handles are not pointers into managed memory: they are keys of this table, so a NULL, stale,
/// foreign or made-up handle is looked up, not dereferenced, and reported as FK_ERR_INVALID_HANDLE.
/// </summary>
internal static class Handles
{
    private static readonly ConcurrentDictionary<nint, object> Table = new();
    private static long _next = 0x7a_0000;

    public static nint Add<T>(T value) where T : class, IDisposable
    {
        // Spaced like aligned pointers so callers that print or compare them see ordinary values.
        nint id = (nint)Interlocked.Add(ref _next, 16);
        Table[id] = new Lent<T>(value);
        return id;
    }

    public static Lent<T> Get<T>(nint id, string what) where T : class, IDisposable =>
        id != 0 && Table.TryGetValue(id, out var o) && o is Lent<T> lent
            ? lent
            : throw new NativeError(Status.InvalidHandle,
                id == 0 ? $"{what} is NULL" : $"{what} 0x{id:x} is not a live {what} (never created, already released, or of another kind)");

    /// <summary>Removes and releases; false when the id is unknown or of another kind.</summary>
    public static bool Release<T>(nint id) where T : class, IDisposable
    {
        if (!Table.TryGetValue(id, out var o) || o is not Lent<T> lent) return false;
        if (!Table.TryRemove(new KeyValuePair<nint, object>(id, o))) return false;
        lent.Release();
        return true;
    }
}
