using System.Diagnostics;
using FaceKit.Core.Errors;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace FaceKit.Gallery.Sqlite;

/// <summary>
/// Runs database work for one gallery file: retries while another writer holds the lock, with
/// growing pauses, up to a bounded time; turns every SQLite failure into a one-line
/// <see cref="FaceKitException"/> that names the file.
/// </summary>
internal sealed class StorageGuard(string path, TimeSpan lockTimeout, ILogger logger)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(250);

    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteReadOnly = 8, SqliteIoError = 10,
        SqliteCorrupt = 11, SqliteFull = 13, SqliteCantOpen = 14, SqliteConstraint = 19, SqliteNotADatabase = 26;

    public string Path => path;

    /// <summary>
    /// Runs <paramref name="work"/>, again from the start after a lock conflict, so it must be a
    /// whole transaction whose effects vanish when it throws.
    /// </summary>
    public T Run<T>(string action, Func<T> work)
    {
        long started = Stopwatch.GetTimestamp();
        var pause = FirstPause;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return work();
            }
            catch (SqliteException e) when (IsLockConflict(e) && Stopwatch.GetElapsedTime(started) + pause < lockTimeout)
            {
                logger.LogDebug("gallery {Path} is locked ({Attempt}. attempt to {Action}); retrying in {Pause} ms",
                    path, attempt, action, pause.TotalMilliseconds);
                Thread.Sleep(pause + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)pause.TotalMilliseconds + 1)));
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
            }
            catch (SqliteException e)
            {
                throw Translate(e, action, Stopwatch.GetElapsedTime(started));
            }
        }
    }

    public void Run(string action, Action work) => Run(action, () => { work(); return 0; });

    private static bool IsLockConflict(SqliteException e) => (e.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked;

    private FaceKitException Translate(SqliteException e, string action, TimeSpan waited)
    {
        string message = (e.SqliteErrorCode & 0xFF) switch
        {
            SqliteBusy or SqliteLocked =>
                $"gallery {path} is locked by another writer; gave up trying to {action} after {waited.TotalSeconds:0.0} s",
            SqliteReadOnly => $"gallery {path} is read-only; cannot {action}",
            SqliteCorrupt or SqliteNotADatabase => $"{path} is not a FaceKit gallery (not a SQLite database, or corrupt)",
            SqliteFull => $"disk full; cannot {action} in gallery {path}",
            SqliteCantOpen => $"cannot open gallery {path}",
            SqliteIoError => $"I/O error in gallery {path}; cannot {action}",
            SqliteConstraint => $"gallery {path} refused to {action}: {FirstLine(e.Message)}",
            _ => $"gallery {path}: cannot {action}: {FirstLine(e.Message)}",
        };
        var code = (e.SqliteErrorCode & 0xFF) == SqliteConstraint ? ErrorCode.Conflict : ErrorCode.StorageUnavailable;
        return new FaceKitException(code, message, e);
    }

    private static string FirstLine(string text)
    {
        int end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
