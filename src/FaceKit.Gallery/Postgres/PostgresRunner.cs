using System.Data;
using System.Diagnostics;
using FaceKit.Core.Errors;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FaceKit.Gallery.Postgres;

/// <summary>
/// Runs a gallery's database work as whole transactions on pooled connections: retried from the
/// start on transient failures (lost connection, server restarting, serialisation conflicts) with
/// growing pauses, up to a time budget; every PostgreSQL failure becomes a one-line
/// <see cref="FaceKitException"/> that names the gallery (never its password).
/// </summary>
internal sealed class PostgresRunner(NpgsqlDataSource source, string gallery, TimeSpan budget, ILogger logger)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(1);

    public string Gallery => gallery;

    /// <summary>
    /// A read. <paramref name="snapshot"/> runs it in one REPEATABLE READ snapshot (several
    /// statements that must agree); otherwise each statement sees the latest commits.
    /// </summary>
    public T Read<T>(string action, Func<PostgresStore, T> work, bool snapshot = false, bool retry = true)
    {
        long started = Stopwatch.GetTimestamp();
        var pause = FirstPause;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using var connection = source.OpenConnection();
                if (!snapshot) return work(new PostgresStore(connection, null, gallery));
                using var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
                var result = work(new PostgresStore(connection, transaction, gallery));
                transaction.Commit();
                return result;
            }
            catch (Exception e) when (retry && IsTransient(e) && Stopwatch.GetElapsedTime(started) + pause < budget)
            {
                Pause(action, attempt, e, ref pause);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                throw Translate(e, action, Stopwatch.GetElapsedTime(started));
            }
        }
    }

    /// <summary>
    /// A write transaction, committed when <paramref name="work"/> returns and rolled back when it
    /// throws; retried whole (so <paramref name="work"/> must start from scratch each time). When the
    /// answer to COMMIT is lost, the server is asked whether the transaction committed before anything
    /// is retried: an acknowledged write is never lost, and a committed one is never applied twice.
    /// </summary>
    public T Write<T>(string action, Func<PostgresStore, T> work, bool retry = true)
    {
        long started = Stopwatch.GetTimestamp();
        var pause = FirstPause;
        for (int attempt = 1; ; attempt++)
        {
            string? xid = null;
            bool committing = false;
            T result = default!;
            try
            {
                using var connection = source.OpenConnection();
                using var transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
                var store = new PostgresStore(connection, transaction, gallery);
                xid = store.TransactionId();
                result = work(store);
                committing = true;
                transaction.Commit();
                return result;
            }
            catch (Exception e) when (committing && e is NpgsqlException or TimeoutException or IOException)
            {
                var outcome = Outcome(xid!, started);
                if (outcome == TransactionOutcome.Committed)
                {
                    logger.LogInformation("gallery {Gallery}: the answer to COMMIT was lost ({Reason}), but the {Action} committed",
                        gallery, FirstLine(e.Message), action);
                    return result;
                }
                if (outcome == TransactionOutcome.Unknown)
                    throw new FaceKitException(ErrorCode.StorageUnavailable,
                        $"gallery {gallery}: lost the connection while committing; cannot tell whether the {action} was saved ({FirstLine(Innermost(e).Message)})", e);
                if (!(retry && IsTransient(e) && Stopwatch.GetElapsedTime(started) + pause < budget))
                    throw Translate(e, action, Stopwatch.GetElapsedTime(started));
                Pause(action, attempt, e, ref pause);
            }
            catch (Exception e) when (retry && IsTransient(e) && Stopwatch.GetElapsedTime(started) + pause < budget)
            {
                Pause(action, attempt, e, ref pause);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                throw Translate(e, action, Stopwatch.GetElapsedTime(started));
            }
        }
    }

    /// <summary>Any other database work (opening the change feed), retried and translated the same way.</summary>
    public void Attempt(string action, Action work)
    {
        long started = Stopwatch.GetTimestamp();
        var pause = FirstPause;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                work();
                return;
            }
            catch (Exception e) when (IsTransient(e) && Stopwatch.GetElapsedTime(started) + pause < budget)
            {
                Pause(action, attempt, e, ref pause);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                throw Translate(e, action, Stopwatch.GetElapsedTime(started));
            }
        }
    }

    private enum TransactionOutcome { Committed, Aborted, Unknown }

    /// <summary>Asks the server how transaction <paramref name="xid"/> ended, retrying while it is unreachable.</summary>
    private TransactionOutcome Outcome(string xid, long started)
    {
        // At least a few seconds even when the budget is spent: the answer decides between "saved" and "maybe".
        var deadline = TimeSpan.FromTicks(Math.Max(budget.Ticks, TimeSpan.FromSeconds(5).Ticks)) + Stopwatch.GetElapsedTime(started);
        long asked = Stopwatch.GetTimestamp();
        var pause = FirstPause;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using var connection = source.OpenConnection();
                var status = new PostgresStore(connection, null, gallery).Scalar("SELECT pg_xact_status(@xid::xid8)", ("xid", xid)) as string;
                switch (status)
                {
                    case "committed": return TransactionOutcome.Committed;
                    case "aborted": return TransactionOutcome.Aborted;
                    case null: return TransactionOutcome.Unknown;
                }
                // "in progress": the server is still finishing it (or rolling it back).
            }
            catch (Exception e) when (IsTransient(e))
            {
                logger.LogDebug("gallery {Gallery}: asking whether transaction {Xid} committed failed: {Reason}", gallery, xid, FirstLine(e.Message));
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("gallery {Gallery}: cannot ask whether transaction {Xid} committed: {Reason}", gallery, xid, FirstLine(e.Message));
                return TransactionOutcome.Unknown;
            }
            if (Stopwatch.GetElapsedTime(asked) + pause > deadline) return TransactionOutcome.Unknown;
            Thread.Sleep(pause);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }
    }

    private void Pause(string action, int attempt, Exception e, ref TimeSpan pause)
    {
        logger.LogDebug("gallery {Gallery}: {Attempt}. attempt to {Action} failed ({Reason}); retrying in {Pause} ms",
            gallery, attempt, action, FirstLine(Innermost(e).Message), pause.TotalMilliseconds);
        // A failed connection may sit in the pool; stale ones go with the next attempt's open.
        if (e is NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException } || e is PostgresException { SqlState: "57P01" or "57P02" })
            source.Clear();
        Thread.Sleep(pause + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)pause.TotalMilliseconds + 1)));
        pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
    }

    /// <summary>Failures worth retrying: the connection, the server's state, or a conflict with another transaction.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.IsTransient || p.SqlState.StartsWith("08", StringComparison.Ordinal)
                               || p.SqlState is "40001" or "40P01" or "55P03" or "57P01" or "57P02" or "57P03" or "53300",
        NpgsqlException n => n.IsTransient || n.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
        TimeoutException => true,
        _ => false,
    };

    public FaceKitException Translate(Exception e, string action, TimeSpan waited)
    {
        if (e is PostgresException p)
        {
            string text = FirstLine(p.MessageText);
            return p.SqlState switch
            {
                "28P01" or "28000" => new FaceKitException(ErrorCode.StorageUnavailable, $"cannot log in to gallery {gallery}: {text}", e),
                "3D000" => FaceKitException.BadInput($"gallery {gallery}: {text} (create the database first)", e),
                "42501" => new FaceKitException(ErrorCode.StorageUnavailable, $"gallery {gallery}: not allowed to {action}: {text}", e),
                "25006" => new FaceKitException(ErrorCode.StorageUnavailable, $"gallery {gallery} is read-only; cannot {action}", e),
                "53100" => new FaceKitException(ErrorCode.StorageUnavailable, $"disk full; cannot {action} in gallery {gallery}", e),
                _ when p.SqlState.StartsWith("23", StringComparison.Ordinal) =>
                    FaceKitException.Conflict($"gallery {gallery} refused to {action}: {text}"),
                _ when IsTransient(e) => new FaceKitException(ErrorCode.StorageUnavailable,
                    $"gallery {gallery} is unavailable; gave up trying to {action} after {waited.TotalSeconds:0.0} s: {text}", e),
                _ => new FaceKitException(ErrorCode.StorageUnavailable, $"gallery {gallery}: cannot {action}: {text}", e),
            };
        }
        return IsTransient(e)
            ? new FaceKitException(ErrorCode.StorageUnavailable,
                $"cannot reach gallery {gallery}; gave up trying to {action} after {waited.TotalSeconds:0.0} s: {FirstLine(Innermost(e).Message)}", e)
            : new FaceKitException(ErrorCode.StorageUnavailable, $"gallery {gallery}: cannot {action}: {FirstLine(Innermost(e).Message)}", e);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner && e is not PostgresException) e = inner;
        return e;
    }

    public static string FirstLine(string text)
    {
        int end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
