using System.Buffers;
using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using FaceKit.Gallery.Search;
using FaceKit.Gallery.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceKit.Gallery;

/// <summary>
/// A gallery in one SQLite file (WAL), with every template also held in memory for exact search.
/// Several instances and processes may share the file: writes serialise on SQLite's lock, and each
/// read first checks <c>PRAGMA data_version</c> so another writer's commits are picked up.
/// </summary>
public sealed class SqliteGallery : IFaceGallery
{
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly GalleryStore _store;
    private readonly StorageGuard _guard;
    private readonly GalleryOptions _options;
    private readonly ILogger _logger;
    private readonly TemplateMatrix _matrix = new();
    private (string ModelId, int Dimension)? _binding;
    private long _dataVersion;
    private bool _disposed;

    private SqliteGallery(SqliteConnection connection, StorageGuard guard, GalleryOptions options, ILogger logger)
    {
        _connection = connection;
        _store = new GalleryStore(connection, guard.Path);
        _guard = guard;
        _options = options;
        _logger = logger;
    }

    /// <summary>Opens (or creates) the gallery file at <paramref name="path"/>, bringing its schema up to date.</summary>
    public static SqliteGallery Open(string path, GalleryOptions? options = null, ILogger? logger = null)
    {
        options ??= new GalleryOptions();
        logger ??= NullLogger.Instance;
        string fullPath = GalleryFile.Check(path, options);
        var guard = new StorageGuard(fullPath, options.LockTimeout, logger);
        var connection = guard.Run("open", () => GalleryFile.Connect(fullPath, options));
        var gallery = new SqliteGallery(connection, guard, options, logger);
        try
        {
            guard.Run("open", () => GalleryFile.Prepare(connection, fullPath, options));
            guard.Run("open", gallery.Reload);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        logger.LogInformation("opened gallery {Path}: {Templates} templates, model {Model}",
            fullPath, gallery._matrix.Count, gallery._binding?.ModelId ?? "(none yet)");
        return gallery;
    }

    public string? ModelId
    {
        get { lock (_gate) { Refresh(); return _binding?.ModelId; } }
    }

    public int? Dimension
    {
        get { lock (_gate) { Refresh(); return _binding?.Dimension; } }
    }

    public int TemplateCount
    {
        get { lock (_gate) { Refresh(); return _matrix.Count; } }
    }

    public Subject Enroll(string name, IReadOnlyList<Embedding> templates, IReadOnlyList<byte[]?>? images = null)
    {
        name = SubjectName.Clean(name);
        var rows = TemplateRows.From(templates, images);
        lock (_gate)
        {
            ThrowIfDisposed();
            var (subject, ids) = Write("enroll", () =>
            {
                string now = Now();
                long subjectId = _store.FindSubject(name) ?? _store.InsertSubject(name, now);
                _store.TouchSubject(subjectId, now);
                var binding = _store.ReadBinding();
                var ids = new long[rows.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    // Checked row by row against what is stored, so a refused row rolls back the
                    // rows and the binding written before it.
                    var row = rows[i];
                    if (binding is null)
                    {
                        binding = (row.ModelId, row.Vector.Length);
                        _store.WriteBinding(row.ModelId, row.Vector.Length);
                    }
                    else
                    {
                        RefuseForeign(binding.Value, row.ModelId, row.Vector.Length);
                    }
                    ids[i] = _store.InsertTemplate(subjectId, row.ModelId, VectorBlob.Encode(row.Vector),
                        row.Vector.Length, row.Image, now);
                }
                return (_store.GetSubject(subjectId), ids);
            });

            if (_binding is null)
            {
                _binding = (rows[0].ModelId, rows[0].Vector.Length);
                _matrix.Reset(rows[0].Vector.Length);
            }
            for (int i = 0; i < rows.Length; i++) _matrix.Add(ids[i], subject.Id, subject.Name, rows[i].Vector);
            _logger.LogInformation("enrolled {Count} templates for {Name}", rows.Length, subject.Name);
            return subject;
        }
    }

    public IReadOnlyList<Subject> ListSubjects()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return _guard.Run("list subjects", () => _store.InTransaction(write: false, _store.ListSubjects));
        }
    }

    public IReadOnlyList<TemplateInfo> ListTemplates(string name)
    {
        name = SubjectName.Clean(name);
        lock (_gate)
        {
            ThrowIfDisposed();
            return _guard.Run("list templates", () => _store.InTransaction(write: false, () =>
                _store.ListTemplates(_store.FindSubject(name) ?? throw NoSubject(name))));
        }
    }

    public void Rename(string name, string newName)
    {
        name = SubjectName.Clean(name);
        newName = SubjectName.Clean(newName);
        lock (_gate)
        {
            ThrowIfDisposed();
            long subjectId = Write("rename", () =>
            {
                long id = _store.FindSubject(name) ?? throw NoSubject(name);
                if (newName == name) return id;
                if (_store.FindSubject(newName) is not null)
                    throw FaceKitException.Conflict($"a subject named '{newName}' already exists");
                _store.RenameSubject(id, newName, Now());
                return id;
            });
            _matrix.RenameSubject(subjectId, newName);
        }
    }

    public void DeleteSubject(string name)
    {
        name = SubjectName.Clean(name);
        lock (_gate)
        {
            ThrowIfDisposed();
            long subjectId = Write("delete a subject", () =>
            {
                long id = _store.FindSubject(name) ?? throw NoSubject(name);
                _store.DeleteSubject(id);
                return id;
            });
            _matrix.RemoveSubject(subjectId);
            _logger.LogInformation("deleted subject {Name}", name);
        }
    }

    public void DeleteTemplate(long templateId)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            Write("delete a template", () =>
            {
                long owner = _store.FindTemplateOwner(templateId) ?? throw NoTemplate(templateId);
                _store.DeleteTemplate(templateId);
                _store.TouchSubject(owner, Now());
                return owner;
            });
            _matrix.RemoveTemplate(templateId);
        }
    }

    public byte[]? GetTemplateImage(long templateId)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            var (found, image) = _guard.Run("read a template image", () => _store.GetImage(templateId));
            return found ? image : throw NoTemplate(templateId);
        }
    }

    public IReadOnlyList<GalleryMatch> Identify(Embedding probe, int topK)
    {
        ArgumentNullException.ThrowIfNull(probe);
        lock (_gate)
        {
            Refresh();
            if (_binding is { } bound && bound.ModelId != probe.ModelId)
                throw FaceKitException.Conflict($"gallery holds templates of model {bound.ModelId}; probe is from {probe.ModelId}");
            return Search(probe.Vector, topK);
        }
    }

    public IReadOnlyList<GalleryMatch> Identify(ReadOnlySpan<float> probe, int topK)
    {
        lock (_gate)
        {
            Refresh();
            return Search(probe, topK);
        }
    }

    private GalleryMatch[] Search(ReadOnlySpan<float> probe, int topK)
    {
        if (topK < 1) throw FaceKitException.BadInput($"top-k must be at least 1, not {topK}");
        if (_binding is not { } bound) return [];
        if (probe.Length != bound.Dimension)
            throw FaceKitException.BadInput($"probe has {probe.Length} values; the gallery holds {bound.Dimension}-d templates");

        float[] unit = ArrayPool<float>.Shared.Rent(probe.Length);
        try
        {
            var span = unit.AsSpan(0, probe.Length);
            probe.CopyTo(span);
            TemplateRows.Normalize(span, "probe");
            return _matrix.Search(span, topK);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(unit);
        }
    }

    public string? GetSetting(string key)
    {
        key = CleanKey(key);
        lock (_gate)
        {
            ThrowIfDisposed();
            return _guard.Run("read a setting", () => _store.GetSetting(key));
        }
    }

    public void SetSetting(string key, string value)
    {
        key = CleanKey(key);
        if (key.StartsWith(GalleryStore.ReservedPrefix, StringComparison.Ordinal))
            throw FaceKitException.BadInput($"setting '{key}' is kept by the gallery itself");
        if (value is null) throw FaceKitException.BadInput($"setting '{key}' has no value");
        lock (_gate)
        {
            ThrowIfDisposed();
            Write("write a setting", () => { _store.SetSetting(key, value); return 0; });
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _connection.Dispose();
        }
    }

    /// <summary>
    /// One write transaction, retried whole on lock conflicts. Memory is brought up to the file's
    /// committed state inside it, so the caller's in-memory change lands on current rows.
    /// </summary>
    private T Write<T>(string action, Func<T> work) =>
        _guard.Run(action, () => _store.InTransaction(write: true, () =>
        {
            if (_store.DataVersion() != _dataVersion) Reload();
            return work();
        }));

    /// <summary>Reloads memory when another connection has committed since we last looked.</summary>
    private void Refresh()
    {
        ThrowIfDisposed();
        _guard.Run("read", () =>
        {
            if (_store.DataVersion() != _dataVersion) Reload();
        });
    }

    private void Reload()
    {
        // The version is read before the rows: a commit in between costs one extra reload later,
        // never a missed one.
        long version = _store.DataVersion();
        var binding = _store.Transaction is null
            ? _store.InTransaction(write: false, () => _store.LoadAll(_matrix))
            : _store.LoadAll(_matrix);
        _binding = binding;
        _dataVersion = version;
        _logger.LogDebug("loaded {Count} templates from gallery {Path}", _matrix.Count, _guard.Path);
    }

    private static void RefuseForeign((string ModelId, int Dimension) bound, string modelId, int dimension)
    {
        if (bound.ModelId != modelId)
            throw FaceKitException.Conflict($"gallery holds templates of model {bound.ModelId}; refusing {modelId}");
        if (bound.Dimension != dimension)
            throw FaceKitException.Conflict(
                $"gallery holds {bound.Dimension}-d templates of model {bound.ModelId}; refusing a {dimension}-d template");
    }

    private string Now() => UtcText.From(_options.Clock.GetUtcNow());

    private static string CleanKey(string key)
    {
        var trimmed = key?.Trim();
        return string.IsNullOrEmpty(trimmed) ? throw FaceKitException.BadInput("setting key is empty") : trimmed;
    }

    private static FaceKitException NoSubject(string name) => FaceKitException.NotFound($"no subject named '{name}'");

    private static FaceKitException NoTemplate(long id) => FaceKitException.NotFound($"no template with id {id}");

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
