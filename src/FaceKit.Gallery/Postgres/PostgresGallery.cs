using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using FaceKit.Gallery.Search;
using FaceKit.Gallery.Search.Ann;
using FaceKit.Gallery.Security;
using FaceKit.Gallery.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FaceKit.Gallery.Postgres;

/// <summary>
/// A gallery in a PostgreSQL database, shared by any number of nodes (processes, machines). The
/// database is the system of record: every change is one transaction there. Each node also holds
/// every template in memory for exact search, and keeps it current from NOTIFY messages that each
/// change sends in its own transaction (so they arrive only once it commits, in commit order). A
/// generation number, bumped under one row lock by every change, orders the messages and exposes a
/// missed one; a gap, a lost connection or an unknown message makes the node reload everything.
/// Same rules, errors, encryption and audit trail as <see cref="SqliteGallery"/>.
/// </summary>
public sealed class PostgresGallery : IFaceGallery, ICallerScopedGallery
{
    private readonly Lock _gate = new();
    private readonly NpgsqlDataSource _source;
    private readonly NpgsqlDataSource _listenSource;
    private readonly PostgresRunner _runner;
    private readonly GalleryOptions _options;
    private readonly ILogger _logger;
    private readonly TemplateCipher? _cipher;
    /// <summary>The same key for the change feed's thread, which reads outside the gate (AesGcm is not thread-safe).</summary>
    private readonly TemplateCipher? _feedCipher;
    private readonly string _gallery;
    private TemplateMatrix _matrix = new();
    /// <summary>In memory only (a database has no file beside it): built at the first search above AnnThreshold, kept current by every change.</summary>
    private readonly GalleryAnn _ann;

    /// <summary>The ANN index used above <see cref="GalleryOptions.AnnThreshold"/> templates (tests look at it).</summary>
    internal GalleryAnn Ann => _ann;
    private (string ModelId, int Dimension)? _binding;
    /// <summary>The committed generation memory reflects; −1 before the first load.</summary>
    private long _generation = -1;
    private string _channel = "";
    private ChangeListener? _listener;
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;
    private const int MaxQueuedAudit = 10_000;
    private readonly List<(DateTime Time, string Action, string? Subject, string? Caller, string? Detail)> _queuedAudit = [];
    private int _flushing;
    private long _auditFailedAt = long.MinValue / 2;
    private long _lastAuditFlush = long.MinValue / 2;
    private bool _disposed;

    private PostgresGallery(PostgresLocation location, GalleryOptions options, ILogger logger)
    {
        _gallery = location.Display;
        _options = options;
        _logger = logger;
        _ann = new GalleryAnn(path: null, cipher: null, new IvfOptions(), canSave: false, logger);
        _source = NpgsqlDataSource.Create(location.Builder);
        // Its own unpooled connection: a LISTEN session must not go back to a pool, and a broken one must not linger.
        var listen = new NpgsqlConnectionStringBuilder(location.Builder.ConnectionString)
        {
            Pooling = false,
            ApplicationName = location.Builder.ApplicationName + " (changes)",
            TcpKeepAlive = true,
        };
        _listenSource = NpgsqlDataSource.Create(listen);
        _runner = new PostgresRunner(_source, _gallery, options.LockTimeout, logger);
        _cipher = options.EncryptionKey is { } key ? new TemplateCipher(key) : null;
        _feedCipher = options.EncryptionKey is { } same ? new TemplateCipher(same) : null;
    }

    /// <summary>
    /// Opens the gallery in the database at <paramref name="location"/> (a <c>postgres://</c> URL or an
    /// Npgsql connection string), creating or upgrading its tables, and loads every template.
    /// The database itself must exist. <see cref="GalleryOptions.LockTimeout"/> bounds how long each
    /// operation keeps retrying while the server is unreachable.
    /// </summary>
    public static PostgresGallery Open(string location, GalleryOptions? options = null, ILogger? logger = null)
    {
        options ??= new GalleryOptions();
        logger ??= NullLogger.Instance;
        var where = PostgresLocation.Parse(location);
        // Checked before touching the database: a bad key must not leave empty tables behind.
        using (options.EncryptionKey is { } key ? new TemplateCipher(key) : null) { }
        var gallery = new PostgresGallery(where, options, logger);
        try
        {
            gallery.Start();
        }
        catch
        {
            gallery.Release();
            throw;
        }
        logger.LogInformation("opened gallery {Gallery}: {Templates} templates, model {Model}",
            gallery._gallery, gallery._matrix.Count, gallery._binding?.ModelId ?? "(none yet)");
        return gallery;
    }

    /// <summary><c>postgres://user@host:port/database</c> (never a password).</summary>
    public string Location => _gallery;

    /// <summary>Whether this gallery's templates are sealed with AES-GCM.</summary>
    public bool IsEncrypted => _cipher is not null;

    public string? ModelId
    {
        get { lock (_gate) { ThrowIfDisposed(); return _binding?.ModelId; } }
    }

    public int? Dimension
    {
        get { lock (_gate) { ThrowIfDisposed(); return _binding?.Dimension; } }
    }

    public int TemplateCount
    {
        get { lock (_gate) { ThrowIfDisposed(); return _matrix.Count; } }
    }

    /// <summary>The change generation memory holds (tests watch it to see a change arrive).</summary>
    internal long Generation
    {
        get { lock (_gate) return _generation; }
    }

    internal ChangeListener? Listener => _listener;

    public Subject Enroll(string name, IReadOnlyList<Embedding> templates, IReadOnlyList<byte[]?>? images = null) =>
        Scoped.EnrollAs(_options.CallerId, name, templates, images);

    Subject ICallerScopedGallery.EnrollAs(string? caller, string name, IReadOnlyList<Embedding> templates, IReadOnlyList<byte[]?>? images)
    {
        name = SubjectName.Clean(name);
        var rows = TemplateRows.From(templates, images);
        lock (_gate)
        {
            ThrowIfDisposed();
            var (subject, ids, generation) = Write("enroll", store =>
            {
                long generation = BeginChange(store);
                var now = Now();
                CheckKeyStillMatches(store);
                long subjectId = store.FindSubject(name) ?? store.InsertSubject(name, now);
                store.TouchSubject(subjectId, now);
                // Every row is checked against the binding (the stored one, else the first row's)
                // before anything is written; a refused row fails the whole transaction.
                var stored = store.ReadBinding();
                var binding = stored ?? (rows[0].ModelId, rows[0].Vector.Length);
                foreach (var row in rows) GalleryRules.RefuseForeign(binding, row.ModelId, row.Vector.Length);
                if (stored is null) store.WriteBinding(binding.ModelId, binding.Dimension);
                var ids = store.NextTemplateIds(rows.Length);
                var vectors = new byte[rows.Length][];
                var images = new byte[]?[rows.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    vectors[i] = GalleryRules.SealVector(_cipher, rows[i].Vector, ids[i], subjectId, binding.ModelId);
                    images[i] = GalleryRules.SealImage(_cipher, rows[i].Image, ids[i]);
                }
                store.InsertTemplates(subjectId, binding.ModelId, binding.Dimension, _cipher is not null, ids, vectors, images, now);
                store.Notify(_channel, new ChangeMessage(generation, ChangeMessage.Enroll, subjectId, ids).Format());
                Audit(store, now, AuditActions.Enroll, name, caller, $"templates={rows.Length}");
                return (store.GetSubject(subjectId), ids, generation);
            });

            if (_binding is null)
            {
                _binding = (rows[0].ModelId, rows[0].Vector.Length);
                _matrix.Reset(rows[0].Vector.Length);
                _ann.MatrixReloaded();
            }
            for (int i = 0; i < rows.Length; i++)
            {
                _matrix.Add(ids[i], subject.Id, subject.Name, rows[i].Vector);
                _ann.Added(ids[i], rows[i].Vector);
            }
            _generation = generation;
            _logger.LogInformation("enrolled {Count} templates for {Name}", rows.Length, subject.Name);
            return subject;
        }
    }

    public IReadOnlyList<Subject> ListSubjects()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return _runner.Read("list subjects", store => store.ListSubjects());
        }
    }

    public IReadOnlyList<TemplateInfo> ListTemplates(string name)
    {
        name = SubjectName.Clean(name);
        lock (_gate)
        {
            ThrowIfDisposed();
            return _runner.Read("list templates", store =>
                store.ListTemplates(store.FindSubject(name) ?? throw GalleryRules.NoSubject(name)), snapshot: true);
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
            var (subjectId, generation) = Write("rename", store =>
            {
                // Same name: nothing to change, so no generation is spent (others would read it as a gap).
                if (newName == name) return (store.FindSubject(name) ?? throw GalleryRules.NoSubject(name), -1L);
                long generation = BeginChange(store);
                long id = store.FindSubject(name) ?? throw GalleryRules.NoSubject(name);
                if (store.FindSubject(newName) is not null)
                    throw FaceKitException.Conflict($"a subject named '{newName}' already exists");
                var now = Now();
                store.RenameSubject(id, newName, now);
                store.Notify(_channel, new ChangeMessage(generation, ChangeMessage.Rename, id, []).Format());
                Audit(store, now, AuditActions.Rename, newName, caller, $"from={name}");
                return (id, generation);
            });
            if (generation < 0) return;
            _matrix.RenameSubject(subjectId, newName);
            _generation = generation;
        }
    }

    public void DeleteSubject(string name) => Scoped.DeleteSubjectAs(_options.CallerId, name);

    void ICallerScopedGallery.DeleteSubjectAs(string? caller, string name)
    {
        name = SubjectName.Clean(name);
        lock (_gate)
        {
            ThrowIfDisposed();
            var (subjectId, generation) = Write("delete a subject", store =>
            {
                long generation = BeginChange(store);
                long id = store.FindSubject(name) ?? throw GalleryRules.NoSubject(name);
                store.DeleteSubject(id);
                store.Notify(_channel, new ChangeMessage(generation, ChangeMessage.DeleteSubject, id, []).Format());
                Audit(store, Now(), AuditActions.DeleteSubject, name, caller, null);
                return (id, generation);
            });
            foreach (long id in _matrix.RemoveSubject(subjectId)) _ann.Removed(id);
            _generation = generation;
            _logger.LogInformation("deleted subject {Name}", name);
        }
    }

    public void DeleteTemplate(long templateId) => Scoped.DeleteTemplateAs(_options.CallerId, templateId);

    void ICallerScopedGallery.DeleteTemplateAs(string? caller, long templateId)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            long generation = Write("delete a template", store =>
            {
                long generation = BeginChange(store);
                long owner = store.FindTemplateOwner(templateId) ?? throw GalleryRules.NoTemplate(templateId);
                var now = Now();
                store.DeleteTemplate(templateId);
                store.TouchSubject(owner, now);
                store.Notify(_channel, new ChangeMessage(generation, ChangeMessage.DeleteTemplate, owner, [templateId]).Format());
                Audit(store, now, AuditActions.DeleteTemplate, store.GetSubject(owner).Name, caller,
                    $"template={templateId.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                return generation;
            });
            if (_matrix.RemoveTemplate(templateId)) _ann.Removed(templateId);
            _generation = generation;
        }
    }

    public byte[]? GetTemplateImage(long templateId)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            var (found, image, isSealed) = _runner.Read("read a template image", store => store.GetImage(templateId));
            if (!found) throw GalleryRules.NoTemplate(templateId);
            return GalleryRules.OpenImage(_cipher, image, isSealed, templateId, _gallery);
        }
    }

    public IReadOnlyList<GalleryMatch> Identify(Embedding probe, int topK) => Scoped.IdentifyAs(_options.CallerId, probe, topK);

    public IReadOnlyList<GalleryMatch> Identify(ReadOnlySpan<float> probe, int topK) => Scoped.IdentifyAs(_options.CallerId, probe, topK);

    IReadOnlyList<GalleryMatch> ICallerScopedGallery.IdentifyAs(string? caller, Embedding probe, int topK)
    {
        ArgumentNullException.ThrowIfNull(probe);
        lock (_gate)
        {
            ThrowIfDisposed();
            GalleryRules.RefuseForeignProbe(_binding, probe.ModelId);
            var matches = Search(probe.Vector, topK);
            AuditIdentify(caller, matches, topK);
            return matches;
        }
    }

    IReadOnlyList<GalleryMatch> ICallerScopedGallery.IdentifyAs(string? caller, ReadOnlySpan<float> probe, int topK)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
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
                _runner.Write("record queued identifications", store => { _flushing = 0; FlushQueuedAudit(store); return 0; });
                CommitQueuedAudit();
            }
            return _runner.Read("read the audit trail", store => store.ReadAudit(sinceUtc?.UtcDateTime, limit));
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

    public string? GetSetting(string key)
    {
        key = GalleryRules.CleanSettingKey(key);
        lock (_gate)
        {
            ThrowIfDisposed();
            return _runner.Read("read a setting", store => store.GetSetting(key));
        }
    }

    public void SetSetting(string key, string value)
    {
        key = GalleryRules.CleanSettingKey(key);
        GalleryRules.CheckCallerSetting(key, value);
        lock (_gate)
        {
            ThrowIfDisposed();
            Write("write a setting", store => { store.SetSetting(key, value); return 0; });
        }
    }

    public void Dispose()
    {
        ChangeListener? listener;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            listener = _listener;
        }
        // Outside the lock: the listener's loop may be waiting for it to apply a change.
        listener?.Dispose();
        lock (_gate)
        {
            if (_queuedAudit.Count > 0 && !_options.ReadOnly)
            {
                try
                {
                    _runner.Write("record queued identifications", store => { _flushing = 0; FlushQueuedAudit(store); return 0; });
                    CommitQueuedAudit();
                }
                catch (FaceKitException e)
                {
                    _logger.LogWarning("gallery {Gallery}: {Count} identify audit events not written at close: {Reason}", _gallery, _queuedAudit.Count, e.Message);
                }
            }
        }
        Release();
    }

    private void Release()
    {
        _listener?.Dispose();
        _cipher?.Dispose();
        _feedCipher?.Dispose();
        _source.Dispose();
        _listenSource.Dispose();
    }

    private void Start()
    {
        string schema = _options.ReadOnly
            ? _runner.Read("open", store => { PostgresSchema.Prepare(store, _gallery, _options); return store.CurrentSchema(); }, snapshot: true)
            : _runner.Write("open", store => { PostgresSchema.Prepare(store, _gallery, _options); return store.CurrentSchema(); });
        _channel = ChannelFor(schema);
        if (!_options.ReadOnly && _cipher is not null) _runner.Write("open", BindKey);
        else _runner.Read("open", BindKey, snapshot: true);

        // LISTEN before the first read: a change committed in between is then both in what is read
        // and in a notification (skipped by its generation), never in neither.
        _listener = new ChangeListener(_listenSource, _channel, _gallery, OnChange, ReloadAll, _logger);
        _runner.Attempt("open the change feed", _listener.Connect);
        ReloadAll();
        _listener.Start();
        if (!_options.ReadOnly) PurgeAuditIfDue(force: true);
    }

    /// <summary>One channel per gallery: a database may hold several, one per schema.</summary>
    private static string ChannelFor(string schema)
    {
        string channel = "facekit:" + schema;
        // A channel name is an identifier: at most 63 bytes.
        return Encoding.UTF8.GetByteCount(channel) <= 63
            ? channel
            : "facekit:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(schema)))[..32];
    }

    /// <summary>
    /// One write transaction, retried whole on transient failures; queued identify events ride
    /// along. The caller holds the gate.
    /// </summary>
    private T Write<T>(string action, Func<PostgresStore, T> work)
    {
        if (_options.ReadOnly)
            throw new FaceKitException(ErrorCode.StorageUnavailable, $"gallery {_gallery} is read-only; cannot {action}");
        var result = _runner.Write(action, store =>
        {
            _flushing = 0;
            FlushQueuedAudit(store);
            return work(store);
        });
        CommitQueuedAudit();
        PurgeAuditIfDue(force: false);
        return result;
    }

    /// <summary>
    /// First thing inside a change: takes the change lock and returns this change's generation.
    /// When memory is not at the generation before it (another node's change whose notification has
    /// not been applied yet), memory is reloaded here, under the lock, so the caller's in-memory
    /// change lands on exactly the rows it changed.
    /// </summary>
    private long BeginChange(PostgresStore store)
    {
        long next = store.BumpGeneration();
        if (next - 1 != _generation)
        {
            var matrix = new TemplateMatrix();
            var binding = store.LoadAll(matrix, _cipher);
            _matrix = matrix;
            _ann.MatrixReloaded();
            _binding = binding;
            _generation = next - 1;
            _logger.LogDebug("gallery {Gallery}: caught up to generation {Generation} before writing", _gallery, next - 1);
        }
        return next;
    }

    /// <summary>
    /// Reads every template in one snapshot and swaps it in, unless memory is already newer. Runs at
    /// open and on the change feed's thread, never both at once.
    /// </summary>
    private void ReloadAll()
    {
        var matrix = new TemplateMatrix();
        var (binding, generation) = _runner.Read("load the templates", store =>
        {
            long generation = store.Generation();
            return (store.LoadAll(matrix, _feedCipher), generation);
        }, snapshot: true);
        lock (_gate)
        {
            if (_disposed || generation < _generation) return;
            _matrix = matrix;
            _ann.MatrixReloaded();
            _binding = binding;
            _generation = generation;
        }
        _logger.LogDebug("loaded {Count} templates (generation {Generation}) from gallery {Gallery}", matrix.Count, generation, _gallery);
    }

    /// <summary>On the listener's thread: applies another node's change, or reloads when one was missed.</summary>
    private void OnChange(string payload)
    {
        long held;
        lock (_gate)
        {
            if (_disposed) return;
            held = _generation;
        }
        if (ChangeMessage.Parse(payload) is not { } change)
        {
            _logger.LogWarning("gallery {Gallery}: change message '{Payload}' not understood; reloading", _gallery, payload);
            ReloadAll();
            return;
        }
        if (change.Generation <= held) return;   // in memory already (this node's own change, or read in a reload)
        if (change.Generation != held + 1 || change.Op == ChangeMessage.Reload)
        {
            if (change.Op != ChangeMessage.Reload)
                _logger.LogInformation("gallery {Gallery}: change {Generation} arrived while holding {Held}; reloading", _gallery, change.Generation, held);
            ReloadAll();
            return;
        }

        // Rows are read outside the gate, so identification goes on meanwhile. They may be newer than
        // the change (renamed or deleted since); the later changes' messages bring memory there too.
        (string ModelId, int Dimension)? binding = null;
        List<(long Id, long SubjectId, string Name, float[] Vector)> rows = [];
        string? newName = null;
        if (change.Op == ChangeMessage.Enroll)
            (binding, rows) = _runner.Read("apply another node's enrolment", store =>
            {
                var bound = store.ReadBinding();
                return (bound, bound is { } b ? store.LoadTemplates(change.TemplateIds, b.Dimension, _feedCipher) : []);
            }, snapshot: true);
        else if (change.Op == ChangeMessage.Rename)
            newName = _runner.Read("apply another node's rename", store => store.SubjectName(change.SubjectId));

        bool reload = false;
        lock (_gate)
        {
            if (_disposed || change.Generation <= _generation) return;
            if (change.Generation != _generation + 1) reload = true;
            else if (change.Op == ChangeMessage.Enroll)
            {
                if (binding is not { } bound || _binding is { } current && current != bound) reload = true;
                else
                {
                    if (_binding is null)
                    {
                        _binding = bound;
                        _matrix.Reset(bound.Dimension);
                        _ann.MatrixReloaded();
                    }
                    foreach (var row in rows)
                    {
                        _matrix.Add(row.Id, row.SubjectId, row.Name, row.Vector);
                        _ann.Added(row.Id, row.Vector);
                    }
                }
            }
            else if (change.Op == ChangeMessage.Rename)
            {
                if (newName is not null) _matrix.RenameSubject(change.SubjectId, newName);
            }
            else if (change.Op == ChangeMessage.DeleteSubject)
            {
                foreach (long id in _matrix.RemoveSubject(change.SubjectId)) _ann.Removed(id);
            }
            else if (change.Op == ChangeMessage.DeleteTemplate)
            {
                foreach (long id in change.TemplateIds)
                    if (_matrix.RemoveTemplate(id)) _ann.Removed(id);
            }
            if (!reload) _generation = change.Generation;
        }
        if (reload) ReloadAll();
    }

    private GalleryMatch[] Search(ReadOnlySpan<float> probe, int topK)
    {
        GalleryRules.CheckTopK(topK);
        if (_binding is not { } bound) return [];
        if (probe.Length != bound.Dimension)
            throw FaceKitException.BadInput($"probe has {probe.Length} values; the gallery holds {bound.Dimension}-d templates");

        float[] unit = ArrayPool<float>.Shared.Rent(probe.Length);
        try
        {
            var span = unit.AsSpan(0, probe.Length);
            probe.CopyTo(span);
            TemplateRows.Normalize(span, "probe");
            return _matrix.Count > 0 && _matrix.Count >= _options.AnnThreshold
                ? GalleryAnn.Identify(_matrix, _ann.Ensure(_matrix, bound.ModelId), span, topK)
                : _matrix.Search(span, topK);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(unit);
        }
    }

    /// <summary>At open, in a transaction: the key (or its absence) must fit the gallery.</summary>
    private int BindKey(PostgresStore store)
    {
        var scheme = store.GetSetting(GalleryStore.EncryptionKey);
        if (scheme is null)
        {
            if (_cipher is null) return 0;
            if (store.CountTemplates() > 0)
                throw FaceKitException.Conflict(
                    $"gallery {_gallery} holds unencrypted templates; refusing to mix them with encrypted ones (open it without a key)");
            if (_options.ReadOnly) return 0;
            // Under the change lock, and checked again under it: two nodes opening an empty gallery
            // with different keys must not both mark it.
            store.LockChanges();
            scheme = store.GetSetting(GalleryStore.EncryptionKey);
            if (scheme is null)
            {
                if (store.CountTemplates() > 0)
                    throw FaceKitException.Conflict(
                        $"gallery {_gallery} holds unencrypted templates; refusing to mix them with encrypted ones (open it without a key)");
                store.SetSetting(GalleryStore.EncryptionKey, TemplateCipher.Scheme);
                store.SetSetting(GalleryStore.KeyCheckKey, _cipher.MakeKeyCheck());
                _logger.LogInformation("gallery {Gallery} now seals its templates with {Scheme}", _gallery, TemplateCipher.Scheme);
                return 0;
            }
        }
        if (scheme != TemplateCipher.Scheme)
            throw new FaceKitException(ErrorCode.StorageUnavailable, $"gallery {_gallery} uses encryption '{scheme}', which this FaceKit cannot read");
        if (_cipher is null)
            throw FaceKitException.BadInput($"gallery {_gallery} is encrypted; give its key to open it");
        if (!_cipher.MatchesKeyCheck(store.GetSetting(GalleryStore.KeyCheckKey)))
            throw FaceKitException.BadInput($"the key given does not open gallery {_gallery} (wrong key)");
        return 0;
    }

    /// <summary>Inside a write: refuses clear rows in a gallery another node has since encrypted, and the reverse.</summary>
    private void CheckKeyStillMatches(PostgresStore store)
    {
        bool encrypted = store.GetSetting(GalleryStore.EncryptionKey) is not null;
        if (encrypted && _cipher is null)
            throw FaceKitException.BadInput($"gallery {_gallery} has been encrypted since it was opened; reopen it with its key");
        if (!encrypted && _cipher is not null)
            throw FaceKitException.Conflict($"gallery {_gallery} is no longer marked encrypted; refusing to write sealed templates");
    }

    private void Audit(PostgresStore store, DateTime now, string action, string? subject, string? caller, string? detail)
    {
        if (_options.Audit.Enabled) store.InsertAudit([(now, action, subject, caller, detail)]);
    }

    /// <summary>
    /// Records an identification without a round trip per face: events are queued and written at
    /// once when the last batch went out over a second ago (so a one-off identification is stored
    /// when it returns), else with the next batch, write or close. An unreachable server never fails
    /// an identification; its events wait (bounded, oldest dropped with a warning).
    /// </summary>
    private void AuditIdentify(string? caller, GalleryMatch[] matches, int topK)
    {
        if (!_options.Audit.Enabled || !_options.Audit.IncludeIdentify || _options.ReadOnly) return;
        if (_queuedAudit.Count >= MaxQueuedAudit)
        {
            _queuedAudit.RemoveAt(0);
            _logger.LogWarning("gallery {Gallery}: audit queue full; dropped the oldest identify event", _gallery);
        }
        _queuedAudit.Add((Now(), AuditActions.Identify, matches.Length > 0 ? matches[0].Name : null, caller, GalleryRules.IdentifyDetail(topK, matches)));
        if (_queuedAudit.Count < 256 && Stopwatch.GetElapsedTime(_lastAuditFlush) < TimeSpan.FromSeconds(1)) return;
        if (Stopwatch.GetElapsedTime(_auditFailedAt) < TimeSpan.FromSeconds(1)) return;
        try
        {
            _runner.Write("record identifications", store => { _flushing = 0; FlushQueuedAudit(store); return 0; }, retry: false);
            CommitQueuedAudit();
        }
        catch (FaceKitException e)
        {
            _flushing = 0;
            _auditFailedAt = Stopwatch.GetTimestamp();
            _logger.LogWarning("gallery {Gallery}: {Count} identify audit events wait for the next write: {Reason}", _gallery, _queuedAudit.Count, e.Message);
        }
    }

    private void CommitQueuedAudit()
    {
        if (_flushing > 0) _lastAuditFlush = Stopwatch.GetTimestamp();
        _queuedAudit.RemoveRange(0, Math.Min(_flushing, _queuedAudit.Count));
        _flushing = 0;
    }

    /// <summary>Inside a write transaction: writes the queued identify events (cleared only once committed).</summary>
    private void FlushQueuedAudit(PostgresStore store)
    {
        store.InsertAudit(_queuedAudit);
        _flushing = _queuedAudit.Count;
    }

    /// <summary>Deletes audit rows past retention; at most once a minute unless forced.</summary>
    private int PurgeAuditIfDue(bool force)
    {
        if (_options.ReadOnly || _options.Audit.Retention is not { } retention) return 0;
        var now = _options.Clock.GetUtcNow();
        if (!force && now - _lastPurge < TimeSpan.FromMinutes(1)) return 0;
        _lastPurge = now;
        var before = Truncate((now - retention).UtcDateTime);
        int purged = _runner.Write("purge the audit trail", store => store.PurgeAudit(before));
        if (purged > 0) _logger.LogInformation("purged {Count} audit events older than {Before:O}", purged, before);
        return purged;
    }

    /// <summary>Times kept to the millisecond, as in the SQLite gallery.</summary>
    private DateTime Now() => Truncate(_options.Clock.GetUtcNow().UtcDateTime);

    private static DateTime Truncate(DateTime utc) =>
        new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
