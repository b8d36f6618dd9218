using System.Runtime.InteropServices;
using System.Text;

namespace FaceKit.Native;

/// <summary>
/// The thread-local message behind fk_last_error(): a NUL-terminated UTF-8 copy in native memory,
/// replaced (and the old one freed) by the thread's next fk_* call.
/// </summary>
internal static unsafe class LastError
{
    [ThreadStatic] private static byte* _message;

    private static readonly byte* Empty = (byte*)NativeMemory.AllocZeroed(1);

    public static byte* Current => _message != null ? _message : Empty;

    public static void Clear()
    {
        if (_message == null) return;
        NativeMemory.Free(_message);
        _message = null;
    }

    public static void Set(string message)
    {
        Clear();
        // One line, and bounded: it is for logs and humans.
        message = message.ReplaceLineEndings(" ");
        if (message.Length > 2000) message = message[..2000] + "…";
        int n = Encoding.UTF8.GetByteCount(message);
        var p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(message, new Span<byte>(p, n));
        p[n] = 0;
        _message = p;
    }

    /// <summary>Records the failure and returns its status; never throws.</summary>
    public static int Fail(Exception e, int badInput)
    {
        int status;
        try
        {
            status = Status.From(e, badInput);
            Set(status == Status.Internal && e is not NativeError ? $"internal error: {e.GetType().Name}: {e.Message}" : e.Message);
        }
        catch
        {
            status = Status.Internal;
        }
        return status;
    }
}
