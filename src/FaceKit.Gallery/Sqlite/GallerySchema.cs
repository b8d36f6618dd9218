using FaceKit.Core.Errors;
using Microsoft.Data.Sqlite;

namespace FaceKit.Gallery.Sqlite;

/// <summary>
/// The table layout, versioned by <c>PRAGMA user_version</c>. A new layout is a new entry at the end
/// of <see cref="Migrations"/>; a file is brought forward one step at a time, inside the caller's
/// write transaction, so a half-migrated file is never left behind.
/// </summary>
internal static class GallerySchema
{
    private static readonly string[] Migrations =
    [
        // 0 → 1
        """
        CREATE TABLE subjects (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            name        TEXT NOT NULL UNIQUE,
            created_utc TEXT NOT NULL,
            updated_utc TEXT NOT NULL
        );
        CREATE TABLE templates (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            subject_id  INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
            model_id    TEXT NOT NULL,
            dim         INTEGER NOT NULL CHECK (dim > 0),
            vector      BLOB NOT NULL CHECK (length(vector) = dim * 4),
            created_utc TEXT NOT NULL,
            image       BLOB NULL
        );
        CREATE INDEX templates_by_subject ON templates(subject_id);
        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
        // 1 → 2: templates may be sealed (AES-GCM: 28 bytes more per vector), and an audit trail.
        // SQLite cannot change a CHECK in place, so the table is rebuilt, keeping ids and the
        // AUTOINCREMENT high-water mark (deleted ids are never handed out again).
        """
        CREATE TABLE templates_v2 (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            subject_id  INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
            model_id    TEXT NOT NULL,
            dim         INTEGER NOT NULL CHECK (dim > 0),
            sealed      INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1)),
            vector      BLOB NOT NULL CHECK (length(vector) = dim * 4 + sealed * 28),
            created_utc TEXT NOT NULL,
            image       BLOB NULL
        );
        INSERT INTO templates_v2 (id, subject_id, model_id, dim, sealed, vector, created_utc, image)
            SELECT id, subject_id, model_id, dim, 0, vector, created_utc, image FROM templates ORDER BY id;
        INSERT INTO sqlite_sequence (name, seq)
            SELECT 'templates_v2', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'templates_v2');
        UPDATE sqlite_sequence
            SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'templates'), 0))
            WHERE name = 'templates_v2';
        DROP TABLE templates;
        ALTER TABLE templates_v2 RENAME TO templates;
        CREATE INDEX templates_by_subject ON templates(subject_id);
        CREATE TABLE audit (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            time_utc TEXT NOT NULL,
            action   TEXT NOT NULL,
            subject  TEXT NULL,
            caller   TEXT NULL,
            detail   TEXT NULL
        );
        CREATE INDEX audit_by_time ON audit(time_utc);
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    public static int ReadVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar());
    }

    /// <summary>Brings the file to <see cref="CurrentVersion"/>; the caller holds a write transaction.</summary>
    public static void Migrate(SqliteConnection connection, SqliteTransaction transaction, string path)
    {
        int version = ReadVersion(connection, transaction);
        EnsureUsable(connection, transaction, version, path);
        for (; version < CurrentVersion; version++)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations[version] + $"\nPRAGMA user_version = {version + 1};";
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Refuses files this code cannot read: a newer layout, or another program's database.</summary>
    public static void EnsureUsable(SqliteConnection connection, SqliteTransaction? transaction, int version, string path)
    {
        if (version > CurrentVersion)
            throw new FaceKitException(ErrorCode.StorageUnavailable,
                $"gallery {path} has schema version {version}; this FaceKit reads up to {CurrentVersion}");
        if (version == 0 && HasTables(connection, transaction))
            throw new FaceKitException(ErrorCode.StorageUnavailable,
                $"{path} is a SQLite database of another program, not a FaceKit gallery");
    }

    private static bool HasTables(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name NOT LIKE 'sqlite_%')";
        return Convert.ToInt64(command.ExecuteScalar()) != 0;
    }
}
