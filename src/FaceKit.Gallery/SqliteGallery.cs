using System.Buffers;
using System.Diagnostics;
using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using FaceKit.Gallery.Search;
using FaceKit.Gallery.Search.Ann;
using FaceKit.Gallery.Security;
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
public sealed class SqliteGallery : IFaceGallery, ICallerScopedGallery
{
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly GalleryStore _store;
    private readonly StorageGuard _guard;
    private readonly GalleryOptions _options;
    private readonly ILogger _logger;
    private readonly TemplateMatrix _matrix = new();
    private readonly TemplateCipher? _cipher;
    private readonly GalleryAnn _ann;
    private (string ModelId, int Dimension)? _binding;
    private long _dataVersion;
    private long _generation;
    private long _pendingGeneration = -1;
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;
    private const int MaxQueuedAudit = 10_000;
    private const int SqliteIoError = 10, SqliteReadOnly = 8, SqliteFull = 13;
    private readonly List<(string Time, string Action, string? Subject, string? Caller, string? Detail)> _queuedAudit = [];
    private int _flushing;
    private long _auditBusySince = long.MinValue / 2;
    private long _lastAuditFlush = long.MinValue / 2;
    private bool _disposed;

    private SqliteGallery(SqliteConnection connection, StorageGuard guard, GalleryOptions options, ILogger logger)
    {
        _connection = connection;
        _store = new GalleryStore(connection, guard.Path);
        _guard = guard;
        _options = options;
        _logger = logger;
        _cipher = options.EncryptionKey is { } key ? new TemplateCipher(key) : null;
        _ann = new GalleryAnn(guard.Path + ".ann", _cipher, new IvfOptions(), canSave: !options.ReadOnly, logger);
    }

    /// <summary>The ANN index used above <see cref="GalleryOptions.AnnThreshold"/> templates (tests look at it).</summary>
    internal GalleryAnn Ann => _ann;

    /// <summary>Whether this gallery's templates are sealed with AES-GCM.</summary>
    public bool IsEncrypted => _cipher is not null;

    /// <summary>Opens (or creates) the gallery file at <paramref name="path"/>, bringing its schema up to date.</summary>
    public static SqliteGallery Open(string path, GalleryOptions? options = null, ILogger? logger = null)
    {
        options ??= new GalleryOptions();
        logger ??= NullLogger.Instance;
        string fullPath = GalleryFile.Check(path, options);
        var guard = new StorageGuard(fullPath, options.LockTimeout, logger);
        // Checked before touching the file: a bad key must not leave an empty gallery behind.
        using (options.EncryptionKey is { } key ? new TemplateCipher(key) : null) { }
        var connection = guard.Run("open", () => GalleryFile.Connect(fullPath, options));
        SqliteGallery gallery;
        try
        {
            gallery = new SqliteGallery(connection, guard, options, logger);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        try
        {
            guard.Run("open", () => GalleryFile.Prepare(connection, fullPath, options));
            guard.Run("open", () => gallery._store.InTransaction(write: !options.ReadOnly && gallery._cipher is not null, gallery.BindKey));
            guard.Run("open", gallery.Reload);
            if (!options.ReadOnly) gallery.PurgeAuditIfDue(force: true);
        }
        catch
        {
            gallery._cipher?.Dispose();
            connection.Dispose();
            throw;
        }
        logger.LogInformation("opened gallery {Path}: {Templates} templates, model {Model}",
            fullPath, gallery._matrix.Count, gallery._binding?.ModelId ?? "(none yet)");
        return gallery;
    }

    /// <summary>
    /// Encrypts, decrypts or re-keys a whole gallery in one transaction: every template vector and
    /// image is opened with <paramref name="currentKey"/> (null: the gallery is clear) and sealed again
    /// with <paramref name="newKey"/> (null: stored clear). A wrong current key changes nothing. Other
    /// processes holding the gallery open must reopen it with the new key afterwards.
    /// </summary>
    /// <returns>The number of templates rewritten.</returns>
    public static int ChangeKey(string path, byte[]? currentKey, byte[]? newKey, GalleryOptions? options = null, ILogger? logger = null)
    {
        options = (options ?? new GalleryOptions()) with { EncryptionKey = currentKey, CreateIfMissing = false, ReadOnly = false };
        using var gallery = Open(path, options, logger);
        using var next = newKey is null ? null : new TemplateCipher(newKey);
        lock (gallery._gate)
        {
            int count = gallery.Write("change the gallery key", () =>
            {
                var rows = gallery._store.ReadRawTemplates();
                foreach (var row in rows)
                {
                    var vector = new byte[row.Dimension * sizeof(float)];
                    byte[]? image = row.Image;
                    if (row.Sealed)
                    {
                        if (!gallery._cipher!.TryOpen(row.Vector, vector, TemplateCipher.VectorAad(row.Id, row.SubjectId, row.ModelId, row.Dimension)))
                            throw FaceKitException.BadInput($"template {row.Id} in gallery {gallery._guard.Path} does not open with the current key");
                        if (image is not null)
                        {
                            var plain = new byte[Math.Max(0, image.Length - TemplateCipher.Overhead)];
                            if (!gallery._cipher.TryOpen(image, plain, TemplateCipher.ImageAad(row.Id)))
                                throw FaceKitException.BadInput($"image of template {row.Id} in gallery {gallery._guard.Path} does not open with the current key");
                            image = plain;
                        }
                    }
                    else
                    {
                        vector = row.Vector;
                    }
                    if (next is null)
                        gallery._store.RewriteTemplate(row.Id, false, vector, image);
                    else
                        gallery._store.RewriteTemplate(row.Id, true,
                            next.Seal(vector, TemplateCipher.VectorAad(row.Id, row.SubjectId, row.ModelId, row.Dimension)),
                            image is null ? null : next.Seal(image, TemplateCipher.ImageAad(row.Id)));
                }
                if (next is null)
                {
                    gallery._store.DeleteSetting(GalleryStore.EncryptionKey);
                    gallery._store.DeleteSetting(GalleryStore.KeyCheckKey);
                }
                else
                {
                    gallery._store.SetSetting(GalleryStore.EncryptionKey, TemplateCipher.Scheme);
                    gallery._store.SetSetting(GalleryStore.KeyCheckKey, next.MakeKeyCheck());
                }
                gallery.Changed();
                gallery.Audit(gallery.Now(), "change-key", null, options.CallerId,
                    $"templates={rows.Count} from={(currentKey is null ? "clear" : "key")} to={(newKey is null ? "clear" : "key")}");
                return rows.Count;
            });
            // The index file was sealed with the old key (or clear): it would not open; drop it now.
            gallery._ann.DeleteFile();
            logger?.LogInformation("rewrote {Count} templates of gallery {Path} under a new key", count, gallery._guard.Path);
            return count;
        }
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

    public Subject Enroll(string name, IReadOnlyList<Embedding> templates, IReadOnlyList<byte[]?>? images = null) =>
        Scoped.EnrollAs(_options.CallerId, name, templates, images);

    Subject ICallerScopedGallery.EnrollAs(string? caller, string name, IReadOnlyList<Embedding> templates, IReadOnlyList<byte[]?>? images)
    {
        name = SubjectName.Clean(name);
        var rows = TemplateRows.From(templates, images);
        lock (_gate)
        {
            ThrowIfDisposed();
            var (subject, ids) = Write("enroll", () =>
            {
                string now = Now();
                CheckKeyStillMatches();
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
                    var vector = VectorBlob.Encode(row.Vector);
                    if (_cipher is null)
                    {
                        ids[i] = _store.InsertTemplate(subjectId, row.ModelId, vector, row.Vector.Length, row.Image, now);
                    }
                    else
                    {
                        // The id is part of the sealed blob's associated data, so the row goes in
                        // first with a placeholder of the sealed length and is sealed in place.
                        ids[i] = _store.InsertTemplate(subjectId, row.ModelId, new byte[vector.Length + TemplateCipher.Overhead],
                            row.Vector.Length, null, now, isSealed: true);
                        _store.SealTemplate(ids[i],
                            _cipher.Seal(vector, TemplateCipher.VectorAad(ids[i], subjectId, row.ModelId, row.Vector.Length)),
                            row.Image is null ? null : _cipher.Seal(row.Image, TemplateCipher.ImageAad(ids[i])));
                    }
                }
                Changed();
                Audit(now, AuditActions.Enroll, name, caller, $"templates={rows.Length}");
                return (_store.GetSubject(subjectId), ids);
            });

            if (_binding is null)
            {
                _binding = (rows[0].ModelId, rows[0].Vector.Length);
                _matrix.Reset(rows[0].Vector.Length);
            }
            for (int i = 0; i < rows.Length; i++)
            {
                _matrix.Add(ids[i], subject.Id, subject.Name, rows[i].Vector);
                _ann.Added(ids[i], rows[i].Vector);
            }
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

    public void Rename(string name, string newName) => Scoped.RenameAs(_options.CallerId, name, newName);

    void ICallerScopedGallery.RenameAs(string? caller, string name, string newName)
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
                string now = Now();
                _store.RenameSubject(id, newName, now);
                Changed();
                Audit(now, AuditActions.Rename, newName, caller, $"from={name}");
                return id;
            });
            _matrix.RenameSubject(subjectId, newName);
        }
    }

    public void DeleteSubject(string name) => Scoped.DeleteSubjectAs(_options.CallerId, name);

    void ICallerScopedGallery.DeleteSubjectAs(string? caller, string name)
    {
        name = SubjectName.Clean(name);
        lock (_gate)
        {
            ThrowIfDisposed();
            long subjectId = Write("delete a subject", () =>
            {
                long id = _store.FindSubject(name) ?? throw NoSubject(name);
                _store.DeleteSubject(id);
                Changed();
                Audit(Now(), AuditActions.DeleteSubject, name, caller, null);
                return id;
            });
            foreach (long id in _matrix.RemoveSubject(subjectId)) _ann.Removed(id);
            _logger.LogInformation("deleted subject {Name}", name);
        }
    }

    public void DeleteTemplate(long templateId) => Scoped.DeleteTemplateAs(_options.CallerId, templateId);

    void ICallerScopedGallery.DeleteTemplateAs(string? caller, long templateId)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            Write("delete a template", () =>
            {
                long owner = _store.FindTemplateOwner(templateId) ?? throw NoTemplate(templateId);
                string now = Now();
                _store.DeleteTemplate(templateId);
                _store.TouchSubject(owner, now);
                Changed();
                Audit(now, AuditActions.DeleteTemplate, _store.GetSubject(owner).Name, caller,
                    $"template={templateId.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                return owner;
            });
            if (_matrix.RemoveTemplate(templateId)) _ann.Removed(templateId);
        }
    }

    public byte[]? GetTemplateImage(long templateId)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            var (found, image, isSealed) = _guard.Run("read a template image", () => _store.GetImage(templateId));
            if (!found) throw NoTemplate(templateId);
            if (image is null || !isSealed) return image;
            if (_cipher is null) throw FaceKitException.BadInput($"gallery {_guard.Path} is encrypted; give its key to read images");
            var plain = new byte[image.Length - TemplateCipher.Overhead];
            return plain.Length >= 0 && _cipher.TryOpen(image, plain, TemplateCipher.ImageAad(templateId))
                ? plain
                : throw FaceKitException.BadInput($"image of template {templateId} does not open with this key (wrong key, or the row was altered)");
        }
    }

    public IReadOnlyList<GalleryMatch> Identify(Embedding probe, int topK) => Scoped.IdentifyAs(_options.CallerId, probe, topK);

    public IReadOnlyList<GalleryMatch> Identify(ReadOnlySpan<float> probe, int topK) => Scoped.IdentifyAs(_options.CallerId, probe, topK);

    IReadOnlyList<GalleryMatch> ICallerScopedGallery.IdentifyAs(string? caller, Embedding probe, int topK)
    {
        ArgumentNullException.ThrowIfNull(probe);
        lock (_gate)
        {
            Refresh();
            if (_binding is { } bound && bound.ModelId != probe.ModelId)
                throw FaceKitException.Conflict($"gallery holds templates of model {bound.ModelId}; probe is from {probe.ModelId}");
            var matches = Search(probe.Vector, topK);
            AuditIdentify(caller, matches, topK);
            return matches;
        }
    }

    IReadOnlyList<GalleryMatch> ICallerScopedGallery.IdentifyAs(string? caller, ReadOnlySpan<float> probe, int topK)
    {
        lock (_gate)
        {
            Refresh();
            var matches = Search(probe, topK);
            AuditIdentify(caller, matches, topK);
            return matches;
        }
    }

    /// <summary>
    /// A view of this gallery whose audit events name <paramref name="callerId"/> (e.g. the API key
    /// id of a request). It shares this instance; disposing the view does nothing.
    /// </summary>
    public IFaceGallery ForCaller(string? callerId) => new CallerView(this, callerId);

    private ICallerScopedGallery Scoped => this;

    /// <summary>Audit events, oldest first, from <paramref name="sinceUtc"/> on (all when null), at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<AuditEvent> ReadAudit(DateTimeOffset? sinceUtc = null, int limit = 10_000)
    {
        if (limit < 1) throw FaceKitException.BadInput($"limit must be at least 1, not {limit}");
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_queuedAudit.Count > 0)
            {
                _guard.Run("record queued identifications", () => _store.InTransaction(write: true, () => { _flushing = 0; FlushQueuedAudit(); return 0; }));
                CommitQueuedAudit();
            }
            return _guard.Run("read the audit trail", () => _store.InTransaction(write: false,
                () => _store.ReadAudit(sinceUtc is { } t ? UtcText.From(t) : null, limit)));
        }
    }

    /// <summary>Deletes audit events older than the retention setting now; returns how many went.</summary>
    public int PurgeAudit()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return PurgeAuditIfDue(force: true);
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
            // Exact below the threshold; above it the index proposes candidates, rescored exactly.
            return _matrix.Count > 0 && _matrix.Count >= _options.AnnThreshold
                ? GalleryAnn.Identify(_matrix, _ann.Ensure(_matrix, bound.ModelId), span, topK)
                : _matrix.Search(span, topK);
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
            if (_queuedAudit.Count > 0)
            {
                try
                {
                    _guard.Run("record queued identifications", () => _store.InTransaction(write: true, () => { FlushQueuedAudit(); return 0; }));
                    CommitQueuedAudit();
                }
                catch (FaceKitException e)
                {
                    _logger.LogWarning("gallery {Path}: {Count} identify audit events not written at close: {Reason}", _guard.Path, _queuedAudit.Count, e.Message);
                }
            }
            _ann.Save(_matrix, _binding?.ModelId);
            _cipher?.Dispose();
            _connection.Dispose();
        }
    }

    /// <summary>
    /// One write transaction, retried whole on lock conflicts. Memory is brought up to the file's
    /// committed state inside it, so the caller's in-memory change lands on current rows.
    /// </summary>
    private T Write<T>(string action, Func<T> work)
    {
        var result = _guard.Run(action, () => _store.InTransaction(write: true, () =>
        {
            _pendingGeneration = -1;
            _flushing = 0;
            CatchUp();
            FlushQueuedAudit();
            return work();
        }));
        // Committed: our own commit leaves data_version alone, so memory stays current.
        if (_pendingGeneration >= 0) _generation = _pendingGeneration;
        _pendingGeneration = -1;
        CommitQueuedAudit();
        PurgeAuditIfDue(force: false);
        _ann.SaveIfDue(_matrix, _binding?.ModelId);
        return result;
    }

    /// <summary>Marks the running write transaction as a change to subjects or templates.</summary>
    private void Changed() => _pendingGeneration = _store.BumpGeneration();

    /// <summary>Reloads memory when another connection has committed since we last looked.</summary>
    private void Refresh()
    {
        ThrowIfDisposed();
        _guard.Run("read", () =>
        {
            if (_store.DataVersion() == _dataVersion) return;
            if (_store.Transaction is null) _store.InTransaction(write: false, () => { CatchUp(); return 0; });
            else CatchUp();
        });
    }

    /// <summary>
    /// Inside a transaction: reloads when another connection changed subjects or templates. Other
    /// commits (audit rows, settings) only move <c>data_version</c> and cost one small read.
    /// </summary>
    private void CatchUp()
    {
        long version = _store.DataVersion();
        if (version == _dataVersion) return;
        if (_store.Generation() != _generation) Reload();
        else _dataVersion = version;
    }

    private void Reload()
    {
        // The version is read before the rows: a commit in between costs one extra reload later,
        // never a missed one.
        long version = _store.DataVersion();
        (string, int)? binding = null;
        long generation = 0;
        if (_store.Transaction is null)
            _store.InTransaction(write: false, () => { generation = _store.Generation(); binding = _store.LoadAll(_matrix, _cipher); return 0; });
        else
        {
            generation = _store.Generation();
            binding = _store.LoadAll(_matrix, _cipher);
        }
        _binding = binding;
        _generation = generation;
        _dataVersion = version;
        _ann.MatrixReloaded();
        _logger.LogDebug("loaded {Count} templates from gallery {Path}", _matrix.Count, _guard.Path);
    }

    /// <summary>At open, inside a transaction: the key (or its absence) must fit the gallery.</summary>
    private int BindKey()
    {
        var scheme = _store.GetSetting(GalleryStore.EncryptionKey);
        if (scheme is null)
        {
            if (_cipher is null) return 0;
            if (_store.CountTemplates() > 0)
                throw FaceKitException.Conflict(
                    $"gallery {_guard.Path} holds unencrypted templates; refusing to mix them with encrypted ones (open it without a key)");
            if (_options.ReadOnly) return 0;
            _store.SetSetting(GalleryStore.EncryptionKey, TemplateCipher.Scheme);
            _store.SetSetting(GalleryStore.KeyCheckKey, _cipher.MakeKeyCheck());
            _logger.LogInformation("gallery {Path} now seals its templates with {Scheme}", _guard.Path, TemplateCipher.Scheme);
            return 0;
        }
        if (scheme != TemplateCipher.Scheme)
            throw new FaceKitException(ErrorCode.StorageUnavailable, $"gallery {_guard.Path} uses encryption '{scheme}', which this FaceKit cannot read");
        if (_cipher is null)
            throw FaceKitException.BadInput($"gallery {_guard.Path} is encrypted; give its key to open it");
        if (!_cipher.MatchesKeyCheck(_store.GetSetting(GalleryStore.KeyCheckKey)))
            throw FaceKitException.BadInput($"the key given does not open gallery {_guard.Path} (wrong key)");
        return 0;
    }

    /// <summary>Inside a write: refuses to write clear rows into a gallery another process has since encrypted, and the reverse.</summary>
    private void CheckKeyStillMatches()
    {
        bool encrypted = _store.GetSetting(GalleryStore.EncryptionKey) is not null;
        if (encrypted && _cipher is null)
            throw FaceKitException.BadInput($"gallery {_guard.Path} has been encrypted since it was opened; reopen it with its key");
        if (!encrypted && _cipher is not null)
            throw FaceKitException.Conflict($"gallery {_guard.Path} is no longer marked encrypted; refusing to write sealed templates");
    }

    private void Audit(string now, string action, string? subject, string? caller, string? detail)
    {
        if (_options.Audit.Enabled) _store.InsertAudit(now, action, subject, caller, detail);
    }

    /// <summary>
    /// Records an identification without ever making it wait for the write lock: the event is
    /// queued, and the queue is written now when the lock is free at once, else with the next write
    /// (another identification's or a change's). Only a process killed while another holds the lock
    /// can lose queued identify events; the queue is bounded (oldest dropped, with a warning).
    /// </summary>
    private void AuditIdentify(string? caller, GalleryMatch[] matches, int topK)
    {
        if (!_options.Audit.Enabled || !_options.Audit.IncludeIdentify || _options.ReadOnly) return;
        GalleryMatch? best = matches.Length > 0 ? matches[0] : null;
        string detail = best is null
            ? $"top={topK} matches=0"
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"top={topK} matches={matches.Length} similarity={best.Value.Similarity:0.0000}");
        if (_queuedAudit.Count >= MaxQueuedAudit)
        {
            _queuedAudit.RemoveAt(0);
            _logger.LogWarning("gallery {Path}: audit queue full; dropped the oldest identify event", _guard.Path);
        }
        _queuedAudit.Add((Now(), AuditActions.Identify, best?.Name, caller, detail));
        // Batched: written at once when the last batch went out over a second ago (so a one-off
        // identification is on disk when it returns), else within a second or 256 events, so a
        // frame-rate loop pays one small commit a second, not one per face.
        if (_queuedAudit.Count < 256 && Stopwatch.GetElapsedTime(_lastAuditFlush) < TimeSpan.FromSeconds(1)) return;
        // After finding the lock held, leave it a second before trying again (a try waits 20 ms at most).
        if (Stopwatch.GetElapsedTime(_auditBusySince) < TimeSpan.FromSeconds(1)) return;
        try
        {
            _flushing = 0;
            if (_store.TryWrite(TimeSpan.FromMilliseconds(20), FlushQueuedAudit, _options.LockTimeout))
            {
                CommitQueuedAudit();
            }
            else
            {
                _auditBusySince = Stopwatch.GetTimestamp();
                _logger.LogDebug("gallery {Path} is locked; {Count} identify audit events wait for the next write", _guard.Path, _queuedAudit.Count);
            }
        }
        catch (SqliteException e) when ((e.SqliteErrorCode & 0xFF) is 5 or 6)
        {
            // Busy at COMMIT (a reader's snapshot in the way): rolled back; the events stay queued.
            _auditBusySince = Stopwatch.GetTimestamp();
        }
        catch (SqliteException e) when ((e.SqliteErrorCode & 0xFF) is SqliteFull or SqliteReadOnly or SqliteIoError)
        {
            // A full or read-only disk must not stop a door from recognising people: the answer is given, the events
            // stay queued (bounded) and are written once the disk has room again; the failure is logged, not thrown.
            _auditBusySince = Stopwatch.GetTimestamp();
            _logger.LogWarning("gallery {Path}: {Count} identify audit events wait: {Reason}", _guard.Path, _queuedAudit.Count, e.Message);
        }
        catch (SqliteException e)
        {
            throw new FaceKitException(ErrorCode.StorageUnavailable, $"gallery {_guard.Path}: cannot record an identification: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    private void CommitQueuedAudit()
    {
        if (_flushing > 0) _lastAuditFlush = Stopwatch.GetTimestamp();
        _queuedAudit.RemoveRange(0, Math.Min(_flushing, _queuedAudit.Count));
        _flushing = 0;
    }

    /// <summary>Inside a write transaction: writes the queued identify events (cleared only once committed).</summary>
    private void FlushQueuedAudit()
    {
        foreach (var (time, action, subject, caller, detail) in _queuedAudit) _store.InsertAudit(time, action, subject, caller, detail);
        _flushing = _queuedAudit.Count;
    }

    /// <summary>Deletes audit rows past retention; at most once a minute unless forced.</summary>
    private int PurgeAuditIfDue(bool force)
    {
        if (_options.ReadOnly || _options.Audit.Retention is not { } retention) return 0;
        var now = _options.Clock.GetUtcNow();
        if (!force && now - _lastPurge < TimeSpan.FromMinutes(1)) return 0;
        _lastPurge = now;
        string before = UtcText.From(now - retention);
        int purged = _guard.Run("purge the audit trail", () => _store.InTransaction(write: true, () => _store.PurgeAudit(before)));
        if (purged > 0) _logger.LogInformation("purged {Count} audit events older than {Before}", purged, before);
        return purged;
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
