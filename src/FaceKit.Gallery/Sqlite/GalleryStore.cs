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

    public long InsertTemplate(long subjectId, string modelId, byte[] vector, int dimension, byte[]? image, string now) =>
        (long)Scalar("""
            INSERT INTO templates (subject_id, model_id, dim, vector, created_utc, image)
            VALUES ($subject, $model, $dim, $vector, $now, $image) RETURNING id
            """,
            ("$subject", subjectId), ("$model", modelId), ("$dim", dimension), ("$vector", vector),
            ("$now", now), ("$image", image))!;

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
    public (bool Found, byte[]? Image) GetImage(long templateId)
    {
        using var command = Command("SELECT image FROM templates WHERE id = $id", ("$id", templateId));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return (false, null);
        return (true, reader.IsDBNull(0) ? null : reader.GetFieldValue<byte[]>(0));
    }

    /// <summary>Fills <paramref name="matrix"/> with every template; returns the model binding.</summary>
    public (string ModelId, int Dimension)? LoadAll(TemplateMatrix matrix)
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
        var vector = new float[bound.Dimension];
        using (var command = Command("SELECT id, subject_id, dim, vector FROM templates ORDER BY id"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                long id = reader.GetInt64(0);
                if (reader.GetInt32(2) != bound.Dimension || reader.GetBytes(3, 0, null, 0, 0) != bytes.Length)
                    throw Corrupt($"template {id} is not {bound.Dimension}-d like the gallery");
                reader.GetBytes(3, 0, bytes, 0, bytes.Length);
                VectorBlob.Decode(bytes, vector);
                long subjectId = reader.GetInt64(1);
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

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        command.ExecuteNonQuery();
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
