using FaceKit.Core.Errors;
using FaceKit.Gallery.Search;
using Microsoft.Data.Sqlite;

namespace FaceKit.Gallery.Sqlite;

/// <summary>The gallery's SQL, one statement per method, over one connection. Not thread-safe.</summary>
internal sealed class GalleryStore(SqliteConnection connection, string path)
{
    /// <summary>Settings under this prefix belong to the gallery itself, not to callers.</summary>
    public const string ReservedPrefix = "gallery.";
    private const string ModelIdKey = ReservedPrefix + "model_id";
    private const string DimensionKey = ReservedPrefix + "dim";
    /// <summary>Bumped by every change to subjects or templates, so readers reload only for those (not for audit rows).</summary>
    private const string GenerationKey = ReservedPrefix + "generation";
    public const string EncryptionKey = ReservedPrefix + "encryption";
    public const string KeyCheckKey = ReservedPrefix + "key_check";

    private SqliteTransaction? _transaction;

    public SqliteConnection Connection => connection;

    public SqliteTransaction? Transaction => _transaction;

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction, committed when it returns and rolled back
    /// when it throws. A write transaction takes the write lock up front (BEGIN IMMEDIATE), so a
    /// lock conflict surfaces at the start, where retrying is safe, never at an upgrade halfway.
    /// </summary>
    public T InTransaction<T>(bool write, Func<T> work)
    {
        using var transaction = connection.BeginTransaction(deferred: !write);
        _transaction = transaction;
        try
        {
            var result = work();
            transaction.Commit();
            return result;
        }
        finally
        {
            _transaction = null;
        }
    }

    /// <summary>Changes when another connection commits; our own commits leave it alone.</summary>
    public long DataVersion() => (long)Scalar("PRAGMA data_version")!;

    public (string ModelId, int Dimension)? ReadBinding()
    {
        var modelId = GetSetting(ModelIdKey);
        var dim = GetSetting(DimensionKey);
        if (modelId is null || dim is null) return null;
        if (!int.TryParse(dim, out int dimension) || dimension <= 0)
            throw Corrupt($"setting {DimensionKey} is '{dim}'");
        return (modelId, dimension);
    }

    public void WriteBinding(string modelId, int dimension)
    {
        SetSetting(ModelIdKey, modelId);
        SetSetting(DimensionKey, dimension.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction only if the write lock comes within
    /// <paramref name="wait"/>; false (nothing done) when it does not. Begun through SQLite itself:
    /// Microsoft.Data.Sqlite's BeginTransaction would keep re-trying a busy BEGIN for a whole second.
    /// </summary>
    public bool TryWrite(TimeSpan wait, Action work, TimeSpan restoreTimeout)
    {
        var db = connection.Handle!;
        SetBusyTimeout(wait);
        try
        {
            int rc = SQLitePCL.raw.sqlite3_exec(db, "BEGIN IMMEDIATE");
            if ((rc & 0xFF) is 5 or 6) return false;
            SqliteException.ThrowExceptionForRC(rc, db);
            try
            {
                work();
                SqliteException.ThrowExceptionForRC(SQLitePCL.raw.sqlite3_exec(db, "COMMIT"), db);
                return true;
            }
            catch
            {
                SQLitePCL.raw.sqlite3_exec(db, "ROLLBACK");
                throw;
            }
        }
        finally
        {
            SetBusyTimeout(restoreTimeout);
        }
    }

    public void SetBusyTimeout(TimeSpan timeout) =>
        Execute($"PRAGMA busy_timeout = {(long)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue)}");

    public long Generation() =>
        long.TryParse(GetSetting(GenerationKey), out long g) ? g : 0;

    public long BumpGeneration()
    {
        long next = Generation() + 1;
        SetSetting(GenerationKey, next.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return next;
    }

    public long CountTemplates() => (long)Scalar("SELECT count(*) FROM templates")!;

    public long CountSealed(bool isSealed) =>
        (long)Scalar("SELECT count(*) FROM templates WHERE sealed = $s", ("$s", isSealed ? 1 : 0))!;

    public void InsertAudit(string now, string action, string? subject, string? caller, string? detail) =>
        Execute("INSERT INTO audit (time_utc, action, subject, caller, detail) VALUES ($now, $action, $subject, $caller, $detail)",
            ("$now", now), ("$action", action), ("$subject", subject), ("$caller", caller), ("$detail", detail));

    public int PurgeAudit(string before) =>
        Execute("DELETE FROM audit WHERE time_utc < $before", ("$before", before));

    public List<AuditEvent> ReadAudit(string? since, int limit)
    {
        using var command = Command("""
            SELECT id, time_utc, action, subject, caller, detail FROM audit
            WHERE $since IS NULL OR time_utc >= $since ORDER BY id LIMIT $limit
            """, ("$since", since), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var events = new List<AuditEvent>();
        while (reader.Read())
            events.Add(new AuditEvent(reader.GetInt64(0), UtcText.Parse(reader.GetString(1)), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        return events;
    }

    public string? GetSetting(string key) =>
        Scalar("SELECT value FROM settings WHERE key = $key", ("$key", key)) as string;

    public void SetSetting(string key, string value) =>
        Execute("INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("$key", key), ("$value", value));

    public long? FindSubject(string name) =>
        Scalar("SELECT id FROM subjects WHERE name = $name", ("$name", name)) as long?;

    public long InsertSubject(string name, string now) =>
        (long)Scalar("INSERT INTO subjects (name, created_utc, updated_utc) VALUES ($name, $now, $now) RETURNING id",
            ("$name", name), ("$now", now))!;

    public void TouchSubject(long subjectId, string now) =>
        Execute("UPDATE subjects SET updated_utc = $now WHERE id = $id", ("$id", subjectId), ("$now", now));

    public void RenameSubject(long subjectId, string newName, string now) =>
        Execute("UPDATE subjects SET name = $name, updated_utc = $now WHERE id = $id",
            ("$id", subjectId), ("$name", newName), ("$now", now));

    /// <summary>Deletes the subject; its templates go with it (ON DELETE CASCADE).</summary>
    public void DeleteSubject(long subjectId) =>
        Execute("DELETE FROM subjects WHERE id = $id", ("$id", subjectId));

    public Subject GetSubject(long subjectId) =>
        QuerySubjects("WHERE s.id = $id", ("$id", subjectId)).Single();

    public List<Subject> ListSubjects() => QuerySubjects("ORDER BY s.name");

    public long? FindTemplateOwner(long templateId) =>
        Scalar("SELECT subject_id FROM templates WHERE id = $id", ("$id", templateId)) as long?;

    public long InsertTemplate(long subjectId, string modelId, byte[] vector, int dimension, byte[]? image, string now, bool isSealed = false) =>
        (long)Scalar("""
            INSERT INTO templates (subject_id, model_id, dim, sealed, vector, created_utc, image)
            VALUES ($subject, $model, $dim, $sealed, $vector, $now, $image) RETURNING id
            """,
            ("$subject", subjectId), ("$model", modelId), ("$dim", dimension), ("$sealed", isSealed ? 1 : 0),
            ("$vector", vector), ("$now", now), ("$image", image))!;

    /// <summary>Replaces a row's vector and image (sealing needs the row's id, known only after insert).</summary>
    public void SealTemplate(long templateId, byte[] vector, byte[]? image) =>
        Execute("UPDATE templates SET vector = $vector, image = $image WHERE id = $id",
            ("$id", templateId), ("$vector", vector), ("$image", image));

    /// <summary>Every template row as stored (vector and image possibly sealed), for re-keying.</summary>
    public List<(long Id, long SubjectId, string ModelId, int Dimension, bool Sealed, byte[] Vector, byte[]? Image)> ReadRawTemplates()
    {
        using var command = Command("SELECT id, subject_id, model_id, dim, sealed, vector, image FROM templates ORDER BY id");
        using var reader = command.ExecuteReader();
        var rows = new List<(long, long, string, int, bool, byte[], byte[]?)>();
        while (reader.Read())
            rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt64(4) != 0,
                reader.GetFieldValue<byte[]>(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6)));
        return rows;
    }

    public void RewriteTemplate(long templateId, bool isSealed, byte[] vector, byte[]? image) =>
        Execute("UPDATE templates SET sealed = $sealed, vector = $vector, image = $image WHERE id = $id",
            ("$id", templateId), ("$sealed", isSealed ? 1 : 0), ("$vector", vector), ("$image", image));

    public void DeleteSetting(string key) => Execute("DELETE FROM settings WHERE key = $key", ("$key", key));

    public void DeleteTemplate(long templateId) =>
        Execute("DELETE FROM templates WHERE id = $id", ("$id", templateId));

    public List<TemplateInfo> ListTemplates(long subjectId)
    {
        using var command = Command("""
            SELECT id, model_id, dim, created_utc, image IS NOT NULL FROM templates
            WHERE subject_id = $id ORDER BY id
            """, ("$id", subjectId));
        using var reader = command.ExecuteReader();
        var templates = new List<TemplateInfo>();
        while (reader.Read())
            templates.Add(new TemplateInfo(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2),
                UtcText.Parse(reader.GetString(3)), reader.GetBoolean(4)));
        return templates;
    }

    /// <summary>The template's image: found tells whether the template exists at all.</summary>
    public (bool Found, byte[]? Image, bool Sealed) GetImage(long templateId)
    {
        using var command = Command("SELECT image, sealed FROM templates WHERE id = $id", ("$id", templateId));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return (false, null, false);
        return (true, reader.IsDBNull(0) ? null : reader.GetFieldValue<byte[]>(0), reader.GetInt64(1) != 0);
    }

    /// <summary>Fills <paramref name="matrix"/> with every template; returns the model binding.</summary>
    public (string ModelId, int Dimension)? LoadAll(TemplateMatrix matrix, Security.TemplateCipher? cipher)
    {
        var binding = ReadBinding();
        if (binding is not { } bound)
        {
            matrix.Reset(0);
            return null;
        }

        var names = new Dictionary<long, string>();
        using (var command = Command("SELECT id, name FROM subjects"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) names[reader.GetInt64(0)] = reader.GetString(1);
        }

        int count = Convert.ToInt32(Scalar("SELECT count(*) FROM templates"));
        matrix.Reset(bound.Dimension, count);
        var bytes = new byte[bound.Dimension * sizeof(float)];
        var sealedBytes = new byte[bytes.Length + Security.TemplateCipher.Overhead];
        var vector = new float[bound.Dimension];
        using (var command = Command("SELECT id, subject_id, dim, vector, sealed, model_id FROM templates ORDER BY id"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                long id = reader.GetInt64(0);
                long subjectId = reader.GetInt64(1);
                bool isSealed = reader.GetInt64(4) != 0;
                if (isSealed != (cipher is not null))
                    throw isSealed
                        ? FaceKitException.BadInput($"gallery {path} is encrypted; give its key to open it")
                        : FaceKitException.Conflict($"gallery {path} holds unencrypted templates; refusing to mix them with encrypted ones");
                var blob = isSealed ? sealedBytes : bytes;
                if (reader.GetInt32(2) != bound.Dimension || reader.GetBytes(3, 0, null, 0, 0) != blob.Length)
                    throw Corrupt($"template {id} is not {bound.Dimension}-d like the gallery");
                reader.GetBytes(3, 0, blob, 0, blob.Length);
                if (isSealed && !cipher!.TryOpen(sealedBytes, bytes,
                        Security.TemplateCipher.VectorAad(id, subjectId, reader.GetString(5), bound.Dimension)))
                    throw FaceKitException.BadInput(
                        $"template {id} in gallery {path} does not open with this key (wrong key, or the row was altered)");
                VectorBlob.Decode(bytes, vector);
                if (!names.TryGetValue(subjectId, out var name)) throw Corrupt($"template {id} belongs to no subject");
                matrix.Add(id, subjectId, name, vector);
            }
        }
        return binding;
    }

    private List<Subject> QuerySubjects(string tail, params (string Name, object? Value)[] parameters)
    {
        using var command = Command($"""
            SELECT s.id, s.name, (SELECT count(*) FROM templates t WHERE t.subject_id = s.id), s.created_utc, s.updated_utc
            FROM subjects s {tail}
            """, parameters);
        using var reader = command.ExecuteReader();
        var subjects = new List<Subject>();
        while (reader.Read())
            subjects.Add(new Subject(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2),
                UtcText.Parse(reader.GetString(3)), UtcText.Parse(reader.GetString(4))));
        return subjects;
    }

    private FaceKitException Corrupt(string what) =>
        new(ErrorCode.StorageUnavailable, $"gallery {path} is corrupt: {what}");

    private object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
