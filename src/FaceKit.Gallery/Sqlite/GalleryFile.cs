using System.Globalization;
using FaceKit.Core.Errors;
using Microsoft.Data.Sqlite;

namespace FaceKit.Gallery.Sqlite;

/// <summary>Finding, opening and preparing the gallery file.</summary>
internal static class GalleryFile
{
    /// <summary>The full path, or BadInput when the path cannot be a gallery file.</summary>
    public static string Check(string path, GalleryOptions options)
    {
        if (string.IsNullOrWhiteSpace(path)) throw FaceKitException.BadInput("gallery path is empty");
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw FaceKitException.BadInput($"gallery path '{path}' is not a valid path", e);
        }
        if (Directory.Exists(full)) throw FaceKitException.BadInput($"gallery path {full} is a folder, not a file");
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw FaceKitException.BadInput($"folder {folder} of gallery {Path.GetFileName(full)} does not exist");
        if ((options.ReadOnly || !options.CreateIfMissing) && !File.Exists(full))
            throw FaceKitException.BadInput($"gallery {full} does not exist");
        return full;
    }

    public static SqliteConnection Connect(string path, GalleryOptions options)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = options.ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            // One long-lived connection per gallery; a pooled one would keep the file open after Dispose.
            Pooling = false,
            ForeignKeys = true,
            // Microsoft.Data.Sqlite re-steps busy statements until this many seconds have passed;
            // the lowest value leaves the waiting to busy_timeout and StorageGuard.
            DefaultTimeout = 1,
        }.ToString());
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Connection settings, then the schema brought up to date.</summary>
    public static void Prepare(SqliteConnection connection, string path, GalleryOptions options)
    {
        long busyMs = (long)Math.Clamp(options.LockTimeout.TotalMilliseconds, 0, int.MaxValue);
        Execute(connection, $"PRAGMA busy_timeout = {busyMs.ToString(CultureInfo.InvariantCulture)}");
        Execute(connection, "PRAGMA foreign_keys = ON");
        if (options.ReadOnly)
        {
            int version = GallerySchema.ReadVersion(connection, null);
            GallerySchema.EnsureUsable(connection, null, version, path);
            if (version < GallerySchema.CurrentVersion)
                throw new FaceKitException(ErrorCode.StorageUnavailable,
                    $"gallery {path} has an older schema; open it once for writing to upgrade it");
            return;
        }

        var mode = Scalar(connection, "PRAGMA journal_mode = WAL") as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            throw new FaceKitException(ErrorCode.StorageUnavailable,
                $"gallery {path} cannot use write-ahead logging (journal mode stays '{mode}')");
        // FULL, not NORMAL: in WAL mode NORMAL already keeps every commit when the process is
        // killed, but may lose the last ones on power loss; enrolments are rare, so the extra
        // fsync per commit is cheap insurance.
        Execute(connection, "PRAGMA synchronous = FULL");

        using var transaction = connection.BeginTransaction(deferred: false);
        GallerySchema.Migrate(connection, transaction, path);
        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
