using System.Diagnostics;
using System.Text;
using FaceKit.Gallery.Security;
using Microsoft.Extensions.Logging;

namespace FaceKit.Gallery.Search.Ann;

/// <summary>
/// The ANN index of one gallery: built from its <see cref="TemplateMatrix"/> when identification
/// first needs it, kept current by enrol/delete, and saved beside the gallery file
/// (<c>gallery.db.ann</c>) so the next open skips the k-means training and the filing. The file is
/// a cache: the SQLite file stays the record, and a missing, unreadable or foreign file only costs
/// a rebuild. It holds the centroids and the template id → list filing, never template vectors (the
/// int8 codes are re-encoded from the gallery at load), and with an encryption key it is sealed
/// with the gallery's AES-GCM key like the templates. Without a path (a PostgreSQL gallery) the index lives in memory
/// only. Not thread-safe: the gallery's lock covers it.
/// </summary>
internal sealed class GalleryAnn(string? path, TemplateCipher? cipher, IvfOptions options, bool canSave, ILogger logger)
{
    private const string Magic = "FKANN1";
    private static readonly byte[] SealAad = Encoding.UTF8.GetBytes("facekit/ann/v1");

    // Rebuild (retrain the centroids) when the gallery has grown past this multiple of the rows they
    // were trained on (lists, and so query time, grow with it), or when catching up would touch more
    // than this share of rows (one row is filed at a time, a rebuild files them on every core).
    private const int GrowthBeforeRetrain = 2;
    private const double ChangedShareBeforeRebuild = 0.25;
    private static readonly TimeSpan SaveEvery = TimeSpan.FromMinutes(5);

    private IvfIndex? _index;
    private bool _stale = true;
    private bool _fileTried;
    private bool _dirty;
    private long _lastSave = Stopwatch.GetTimestamp();

    public string? FilePath => path;

    /// <summary>Templates asked of the index per identification: enough that the top-k subjects' best templates are among them.</summary>
    public static int CandidatesFor(int topK) => (int)Math.Clamp(topK * 10L, 100, 10_000);

    /// <summary>Identification through the index: candidate templates, rescored exactly in float and reduced to the top-k subjects.</summary>
    public static GalleryMatch[] Identify(TemplateMatrix matrix, IAnnIndex index, ReadOnlySpan<float> probe, int topK)
    {
        var candidates = new AnnHit[CandidatesFor(topK)];
        int found = index.Search(probe, candidates);
        return matrix.SearchCandidates(probe, candidates.AsSpan(0, found), topK);
    }

    /// <summary>The index when one is built or loaded (it may lag the matrix until <see cref="Ensure"/>).</summary>
    public IvfIndex? Index => _index;

    /// <summary>What the last <see cref="Ensure"/> that changed anything did: "built", "loaded", "caught up", "rebuilt (why)".</summary>
    public string? LastEvent { get; private set; }

    /// <summary>The index, current with <paramref name="matrix"/>: loaded from the file, caught up, or (re)built.</summary>
    public IvfIndex Ensure(TemplateMatrix matrix, string modelId)
    {
        if (_index is not null && !_stale && _index.Count <= GrowthBeforeRetrain * (long)_index.TrainedCount) return _index;
        var start = Stopwatch.GetTimestamp();
        if (_index is null && !_fileTried)
        {
            _fileTried = true;
            if (TryLoad(matrix, modelId, out string? refused))
            {
                Finish(start, matrix, modelId, save: _dirty);
                return _index!;
            }
            if (refused is not null) return Rebuild(matrix, modelId, refused, start);
        }
        if (_index is null) return Rebuild(matrix, modelId, null, start);
        if (_index.Count > GrowthBeforeRetrain * (long)_index.TrainedCount)
            return Rebuild(matrix, modelId, $"gallery grew from {_index.TrainedCount} to {_index.Count} templates", start);
        if (!CatchUp(matrix)) return Rebuild(matrix, modelId, "too many templates changed since the index was made", start);
        LastEvent = "caught up";
        Finish(start, matrix, modelId, save: true);
        return _index;
    }

    /// <summary>Takes an index built elsewhere from the same matrix as current (it is saved at the next <see cref="Save"/>).</summary>
    public void Adopt(IvfIndex index)
    {
        _index = index;
        _fileTried = true;
        _stale = false;
        _dirty = true;
    }

    /// <summary>Memory was reloaded from the file (another writer): the index catches up at the next <see cref="Ensure"/>.</summary>
    public void MatrixReloaded() => _stale = true;

    public void Added(long id, ReadOnlySpan<float> vector)
    {
        if (_index is null || _stale) return;
        _index.Add(id, vector);
        _dirty = true;
    }

    public void Removed(long id)
    {
        if (_index is null || _stale) return;
        _dirty |= _index.Remove(id);
    }

    /// <summary>Saves when changed and not saved for a while (called after writes).</summary>
    public void SaveIfDue(TemplateMatrix matrix, string? modelId)
    {
        if (_dirty && Stopwatch.GetElapsedTime(_lastSave) > SaveEvery) Save(matrix, modelId);
    }

    /// <summary>Writes the file when the index changed since it was last written; a failure is logged, never thrown (the file is a cache).</summary>
    public void Save(TemplateMatrix matrix, string? modelId)
    {
        if (!_dirty || _stale || _index is null || modelId is null || !canSave) return;
        string temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var payload = Serialize(_index, matrix, modelId);
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(Encoding.ASCII.GetBytes(Magic));
                file.WriteByte(cipher is null ? (byte)0 : (byte)1);
                file.Write(cipher is null ? payload : cipher.Seal(payload, SealAad));
            }
            // Replaced in one rename, so a reader (another process) sees the old file or the new one.
            File.Move(temp, path, overwrite: true);
            _dirty = false;
            _lastSave = Stopwatch.GetTimestamp();
            logger.LogDebug("saved the ANN index of {Count} templates to {Path}", _index.Count, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("could not save the ANN index to {Path}: {Reason}", path, e.Message);
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Deletes the file and forgets the index (its key changed); best effort.</summary>
    public void DeleteFile()
    {
        _index = null;
        _stale = true;
        _dirty = false;
        _fileTried = true;
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private IvfIndex Rebuild(TemplateMatrix matrix, string modelId, string? why, long start)
    {
        _index = IvfIndex.Build(matrix.Rows, options);
        LastEvent = why is null ? "built" : $"rebuilt ({why})";
        logger.LogInformation("ANN index {Event}: {Count} templates in {Lists} lists", LastEvent, _index.Count, _index.ListCount);
        _dirty = true;
        Finish(start, matrix, modelId, save: true);
        return _index;
    }

    private void Finish(long start, TemplateMatrix matrix, string modelId, bool save)
    {
        _stale = false;
        logger.LogDebug("ANN index ready in {Ms:F0} ms ({Event})", Stopwatch.GetElapsedTime(start).TotalMilliseconds, LastEvent);
        if (save) Save(matrix, modelId);
    }

    /// <summary>Brings a stale in-memory index level with the matrix; false when a rebuild is the better deal.</summary>
    private bool CatchUp(TemplateMatrix matrix)
    {
        var index = _index!;
        var gone = new List<long>();
        foreach (var (id, _) in index.Filing)
            if (!matrix.ContainsTemplate(id)) gone.Add(id);
        var rows = matrix.Rows;
        var fresh = new List<int>();
        for (int row = 0; row < rows.Count; row++)
            if (!index.Contains(rows.Ids[row])) fresh.Add(row);
        if (gone.Count + fresh.Count > ChangedShareBeforeRebuild * Math.Max(1, rows.Count)) return false;
        foreach (long id in gone) index.Remove(id);
        foreach (int row in fresh) index.Add(rows.Ids[row], rows.Vector(row));
        _dirty |= gone.Count + fresh.Count > 0;
        return true;
    }

    /// <summary>
    /// Loads the file if it is there and fits: true with the index restored and caught up; false with
    /// <paramref name="refused"/> saying why a file that is there was not used (null: no file).
    /// </summary>
    private bool TryLoad(TemplateMatrix matrix, string modelId, out string? refused)
    {
        refused = null;
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) return false;
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            refused = $"index file unreadable: {e.Message}";
            return false;
        }
        try
        {
            refused = Parse(bytes, matrix, modelId);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or FormatException or OverflowException)
        {
            refused = "index file is damaged";
        }
        if (refused is not null)
        {
            _index = null;
            logger.LogInformation("not using ANN index file {Path}: {Reason}", path, refused);
            return false;
        }
        return true;
    }

    private string? Parse(byte[] bytes, TemplateMatrix matrix, string modelId)
    {
        int head = Magic.Length + 1;
        if (bytes.Length < head || Encoding.ASCII.GetString(bytes, 0, Magic.Length) != Magic) return "not an index file of this FaceKit";
        bool isSealed = bytes[Magic.Length] == 1;
        if (isSealed != (cipher is not null)) return isSealed ? "index file is sealed; the gallery is not" : "index file is clear; the gallery is encrypted";
        byte[] payload;
        if (cipher is null)
        {
            payload = bytes[head..];
        }
        else
        {
            if (bytes.Length - head < TemplateCipher.Overhead) return "index file is damaged";
            payload = new byte[bytes.Length - head - TemplateCipher.Overhead];
            if (!cipher.TryOpen(bytes.AsSpan(head), payload, SealAad)) return "index file does not open with this key";
        }

        using var reader = new BinaryReader(new MemoryStream(payload));
        string savedModel = reader.ReadString();
        int dimension = reader.ReadInt32();
        if (savedModel != modelId || dimension != matrix.Dimension) return $"index is for {savedModel} ({dimension}-d)";
        int savedCount = reader.ReadInt32();
        long savedMaxId = reader.ReadInt64();
        int lists = reader.ReadInt32();
        int probes = reader.ReadInt32();
        int trained = reader.ReadInt32();
        if (lists <= 0 || lists > 1 << 20) return "index file is damaged";
        var centroids = new float[lists * dimension];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(centroids.AsSpan()));
        int filedCount = reader.ReadInt32();
        if (filedCount < 0) return "index file is damaged";
        var filed = new Dictionary<long, int>(filedCount);
        for (int i = 0; i < filedCount; i++) filed[reader.ReadInt64()] = reader.ReadInt32();

        var rows = matrix.Rows;
        if (!FilingFitsVectors(rows, filed, centroids, lists, dimension)) return "index was made for other vectors (gallery replaced?)";
        if (rows.Count > GrowthBeforeRetrain * (long)trained) return $"gallery grew from {trained} to {rows.Count} templates";

        _index = IvfIndex.Restore(rows, centroids, lists, options.Probes > 0 ? options.Probes : probes, trained, filed,
            options.ThreadCount, out int added, out int dropped);
        if (added + dropped > ChangedShareBeforeRebuild * Math.Max(1, rows.Count))
            return "too many templates changed since the index was saved";
        bool current = added == 0 && dropped == 0 && savedCount == rows.Count && savedMaxId == matrix.MaxTemplateId();
        LastEvent = current ? "loaded" : $"loaded and caught up (+{added} −{dropped})";
        _dirty = !current;
        return null;
    }

    /// <summary>
    /// A sample of filed rows must sit in (one of) their nearest lists: a file saved for a gallery
    /// that was since replaced by another with the same ids fails here instead of silently
    /// costing recall.
    /// </summary>
    private static bool FilingFitsVectors(AnnRows rows, Dictionary<long, int> filed, float[] centroids, int lists, int dimension)
    {
        int checkedRows = 0, misfiled = 0;
        int step = Math.Max(1, rows.Count / 64);
        for (int row = 0; row < rows.Count && checkedRows < 64; row += step)
        {
            if (!filed.TryGetValue(rows.Ids[row], out int list) || (uint)list >= (uint)lists) continue;
            checkedRows++;
            var vector = rows.Vector(row);
            float own = System.Numerics.Tensors.TensorPrimitives.Dot(centroids.AsSpan(list * dimension, dimension), vector);
            for (int k = 0; k < lists; k++)
            {
                if (System.Numerics.Tensors.TensorPrimitives.Dot(centroids.AsSpan(k * dimension, dimension), vector) > own + 1e-3f)
                {
                    misfiled++;
                    break;
                }
            }
        }
        return misfiled <= checkedRows / 16;
    }

    private static byte[] Serialize(IvfIndex index, TemplateMatrix matrix, string modelId)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(modelId);
            writer.Write(index.Dimension);
            writer.Write(matrix.Count);
            writer.Write(matrix.MaxTemplateId());
            writer.Write(index.ListCount);
            writer.Write(index.Probes);
            writer.Write(index.TrainedCount);
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(index.Centroids.AsSpan()));
            writer.Write(index.Count);
            foreach (var (id, list) in index.Filing)
            {
                writer.Write(id);
                writer.Write(list);
            }
        }
        return stream.ToArray();
    }
}
