using System.Globalization;
using FaceKit.Core.Errors;
using FaceKit.Gallery.Search;
using FaceKit.Gallery.Security;
using FaceKit.Gallery.Sqlite;
using Npgsql;

namespace FaceKit.Gallery.Postgres;

/// <summary>
/// The PostgreSQL gallery's SQL, one statement per method, over one connection and its open
/// transaction. Lives for one transaction; not thread-safe.
/// </summary>
internal sealed class PostgresStore(NpgsqlConnection connection, NpgsqlTransaction? transaction, string gallery)
{
    // The same keys as the SQLite gallery's settings table.
    private const string ModelIdKey = GalleryStore.ReservedPrefix + "model_id";
    private const string DimensionKey = GalleryStore.ReservedPrefix + "dim";
    /// <summary>
    /// Bumped by every change to subjects or templates. Its row lock serialises those changes, so
    /// generations commit (and their notifications arrive) in order, one apart.
    /// </summary>
    public const string GenerationKey = GalleryStore.ReservedPrefix + "generation";

    /// <summary>Takes the change lock and returns the next generation (the one this transaction writes).</summary>
    public long BumpGeneration() => Convert.ToInt64(Scalar($"""
        INSERT INTO settings (key, value) VALUES ('{GenerationKey}', '1')
        ON CONFLICT (key) DO UPDATE SET value = (settings.value::bigint + 1)::text
        RETURNING value::bigint
        """));

    /// <summary>Takes the change lock without changing anything (for marking a gallery encrypted).</summary>
    public void LockChanges() => Scalar($"SELECT value FROM settings WHERE key = '{GenerationKey}' FOR UPDATE");

    public long Generation() => long.TryParse(GetSetting(GenerationKey), out long g) ? g : 0;

    /// <summary>This transaction's id, to ask later whether it committed when the answer to COMMIT was lost.</summary>
    public string TransactionId() => (string)Scalar("SELECT pg_current_xact_id()::text")!;

    public void Notify(string channel, string payload) =>
        Execute("SELECT pg_notify(@channel, @payload)", ("channel", channel), ("payload", payload));

    public string CurrentSchema() => Scalar("SELECT current_schema()") as string
        ?? throw new FaceKitException(ErrorCode.StorageUnavailable, $"gallery {gallery}: the connection's search_path names no schema it can use");

    public (string ModelId, int Dimension)? ReadBinding()
    {
        var modelId = GetSetting(ModelIdKey);
        var dim = GetSetting(DimensionKey);
        if (modelId is null || dim is null) return null;
        if (!int.TryParse(dim, NumberStyles.Integer, CultureInfo.InvariantCulture, out int dimension) || dimension <= 0)
            throw GalleryRules.Corrupt(gallery, $"setting {DimensionKey} is '{dim}'");
        return (modelId, dimension);
    }

    public void WriteBinding(string modelId, int dimension)
    {
        SetSetting(ModelIdKey, modelId);
        SetSetting(DimensionKey, dimension.ToString(CultureInfo.InvariantCulture));
    }

    public string? GetSetting(string key) => Scalar("SELECT value FROM settings WHERE key = @key", ("key", key)) as string;

    public void SetSetting(string key, string value) =>
        Execute("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("key", key), ("value", value));

    public long CountTemplates() => Convert.ToInt64(Scalar("SELECT count(*) FROM templates"));

    public long? FindSubject(string name) => Scalar("SELECT id FROM subjects WHERE name = @name", ("name", name)) as long?;

    public string? SubjectName(long subjectId) => Scalar("SELECT name FROM subjects WHERE id = @id", ("id", subjectId)) as string;

    public long InsertSubject(string name, DateTime now) =>
        Convert.ToInt64(Scalar("INSERT INTO subjects (name, created_utc, updated_utc) VALUES (@name, @now, @now) RETURNING id",
            ("name", name), ("now", now)));

    public void TouchSubject(long subjectId, DateTime now) =>
        Execute("UPDATE subjects SET updated_utc = @now WHERE id = @id", ("id", subjectId), ("now", now));

    public void RenameSubject(long subjectId, string newName, DateTime now) =>
        Execute("UPDATE subjects SET name = @name, updated_utc = @now WHERE id = @id", ("id", subjectId), ("name", newName), ("now", now));

    /// <summary>Deletes the subject; its templates go with it (ON DELETE CASCADE).</summary>
    public void DeleteSubject(long subjectId) => Execute("DELETE FROM subjects WHERE id = @id", ("id", subjectId));

    public Subject GetSubject(long subjectId) => QuerySubjects("WHERE s.id = @id", ("id", subjectId)).Single();

    public List<Subject> ListSubjects() => QuerySubjects("ORDER BY s.name COLLATE \"C\"");

    /// <summary>Ids for new template rows, taken before the insert because a sealed vector's associated data holds its id.</summary>
    public long[] NextTemplateIds(int count)
    {
        using var command = Command("SELECT nextval(pg_get_serial_sequence('templates', 'id')) FROM generate_series(1, @n)", ("n", count));
        using var reader = command.ExecuteReader();
        var ids = new long[count];
        for (int i = 0; i < count && reader.Read(); i++) ids[i] = reader.GetInt64(0);
        return ids;
    }

    /// <summary>Template rows of one subject and model, in one statement (one round trip however many).</summary>
    public void InsertTemplates(long subjectId, string modelId, int dimension, bool isSealed, long[] ids, byte[][] vectors, byte[]?[] images, DateTime now) =>
        Execute("""
            INSERT INTO templates (id, subject_id, model_id, dim, sealed, vector, created_utc, image)
            SELECT id, @subject, @model, @dim, @sealed, vector, @now, image
            FROM unnest(@ids::bigint[], @vectors::bytea[], @images::bytea[]) AS r(id, vector, image)
            """,
            ("subject", subjectId), ("model", modelId), ("dim", dimension), ("sealed", isSealed),
            ("ids", ids), ("vectors", vectors), ("images", images), ("now", now));

    public long? FindTemplateOwner(long templateId) =>
        Scalar("SELECT subject_id FROM templates WHERE id = @id", ("id", templateId)) as long?;

    public void DeleteTemplate(long templateId) => Execute("DELETE FROM templates WHERE id = @id", ("id", templateId));

    public List<TemplateInfo> ListTemplates(long subjectId)
    {
        using var command = Command("""
            SELECT id, model_id, dim, created_utc, image IS NOT NULL FROM templates
            WHERE subject_id = @id ORDER BY id
            """, ("id", subjectId));
        using var reader = command.ExecuteReader();
        var templates = new List<TemplateInfo>();
        while (reader.Read())
            templates.Add(new TemplateInfo(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetDateTime(3), reader.GetBoolean(4)));
        return templates;
    }

    /// <summary>The template's image: found tells whether the template exists at all.</summary>
    public (bool Found, byte[]? Image, bool Sealed) GetImage(long templateId)
    {
        using var command = Command("SELECT image, sealed FROM templates WHERE id = @id", ("id", templateId));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return (false, null, false);
        return (true, reader.IsDBNull(0) ? null : reader.GetFieldValue<byte[]>(0), reader.GetBoolean(1));
    }

    public void InsertAudit(IReadOnlyList<(DateTime Time, string Action, string? Subject, string? Caller, string? Detail)> events)
    {
        if (events.Count == 0) return;
        var times = new DateTime[events.Count];
        var actions = new string[events.Count];
        var subjects = new string?[events.Count];
        var callers = new string?[events.Count];
        var details = new string?[events.Count];
        for (int i = 0; i < events.Count; i++) (times[i], actions[i], subjects[i], callers[i], details[i]) = events[i];
        Execute("""
            INSERT INTO audit (time_utc, action, subject, caller, detail)
            SELECT * FROM unnest(@times::timestamptz[], @actions::text[], @subjects::text[], @callers::text[], @details::text[])
            """, ("times", times), ("actions", actions), ("subjects", subjects), ("callers", callers), ("details", details));
    }

    public int PurgeAudit(DateTime before) => Execute("DELETE FROM audit WHERE time_utc < @before", ("before", before));

    public List<AuditEvent> ReadAudit(DateTime? since, int limit)
    {
        using var command = since is { } t
            ? Command("SELECT id, time_utc, action, subject, caller, detail FROM audit WHERE time_utc >= @since ORDER BY id LIMIT @limit",
                ("since", t), ("limit", limit))
            : Command("SELECT id, time_utc, action, subject, caller, detail FROM audit ORDER BY id LIMIT @limit", ("limit", limit));
        using var reader = command.ExecuteReader();
        var events = new List<AuditEvent>();
        while (reader.Read())
            events.Add(new AuditEvent(reader.GetInt64(0), reader.GetDateTime(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        return events;
    }

    /// <summary>Fills <paramref name="matrix"/> with every template; returns the model binding.</summary>
    public (string ModelId, int Dimension)? LoadAll(TemplateMatrix matrix, TemplateCipher? cipher)
    {
        var binding = ReadBinding();
        if (binding is not { } bound)
        {
            matrix.Reset(0);
            return null;
        }
        matrix.Reset(bound.Dimension, (int)CountTemplates());
        using var command = Command("""
            SELECT t.id, t.subject_id, s.name, t.model_id, t.dim, t.sealed, t.vector
            FROM templates t JOIN subjects s ON s.id = t.subject_id ORDER BY t.id
            """);
        ReadTemplates(command, bound.Dimension, cipher, (id, subjectId, name, vector) => matrix.Add(id, subjectId, name, vector));
        return binding;
    }

    /// <summary>The given templates (those still there), opened, with their subject's current name.</summary>
    public List<(long Id, long SubjectId, string Name, float[] Vector)> LoadTemplates(long[] ids, int dimension, TemplateCipher? cipher)
    {
        using var command = Command("""
            SELECT t.id, t.subject_id, s.name, t.model_id, t.dim, t.sealed, t.vector
            FROM templates t JOIN subjects s ON s.id = t.subject_id WHERE t.id = ANY(@ids) ORDER BY t.id
            """, ("ids", ids));
        var rows = new List<(long, long, string, float[])>();
        ReadTemplates(command, dimension, cipher, (id, subjectId, name, vector) => rows.Add((id, subjectId, name, vector.ToArray())));
        return rows;
    }

    private delegate void RowSink(long id, long subjectId, string name, ReadOnlySpan<float> vector);

    private void ReadTemplates(NpgsqlCommand command, int dimension, TemplateCipher? cipher, RowSink sink)
    {
        var vector = new float[dimension];
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            long id = reader.GetInt64(0);
            long subjectId = reader.GetInt64(1);
            if (reader.GetInt32(4) != dimension) throw GalleryRules.Corrupt(gallery, $"template {id} is not {dimension}-d like the gallery");
            GalleryRules.OpenVector(cipher, reader.GetFieldValue<byte[]>(6), reader.GetBoolean(5), id, subjectId, reader.GetString(3), vector, gallery);
            sink(id, subjectId, reader.GetString(2), vector);
        }
    }

    private List<Subject> QuerySubjects(string tail, params (string Name, object? Value)[] parameters)
    {
        using var command = Command($"""
            SELECT s.id, s.name, (SELECT count(*) FROM templates t WHERE t.subject_id = s.id)::integer, s.created_utc, s.updated_utc
            FROM subjects s {tail}
            """, parameters);
        using var reader = command.ExecuteReader();
        var subjects = new List<Subject>();
        while (reader.Read())
            subjects.Add(new Subject(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetDateTime(3), reader.GetDateTime(4)));
        return subjects;
    }

    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    private NpgsqlCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            // A null byte[] or text still needs its type: an untyped NULL parameter is refused.
            var parameter = value is null
                ? new NpgsqlParameter(name, name is "image" ? NpgsqlTypes.NpgsqlDbType.Bytea : NpgsqlTypes.NpgsqlDbType.Text) { Value = DBNull.Value }
                : new NpgsqlParameter(name, value);
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
