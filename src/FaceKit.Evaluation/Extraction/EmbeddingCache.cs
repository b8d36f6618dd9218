using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using FaceKit.Core.Embeddings;

namespace FaceKit.Evaluation.Extraction;

/// <summary>
/// Templates keyed by (model id, SHA-256 of the image bytes), so a renamed or moved file still hits
/// and an edited file misses. Failures are cached too: they are as deterministic as embeddings.
/// </summary>
/// <remarks>
/// File layout (little-endian): "FKEMBC01", entry count (int32), entries, then SHA-256 of everything
/// before it. Entry: model id (length-prefixed UTF-8), 32-byte content hash, status byte
/// (0 = embedding, else <see cref="TemplateFailureKind"/>), then dimension (int32) + floats, or the
/// failure message. A file that fails any check loads as empty and is rewritten by <see cref="Save"/>.
/// </remarks>
public sealed class EmbeddingCache
{
    private static readonly byte[] Magic = "FKEMBC01"u8.ToArray();
    private readonly ConcurrentDictionary<(string Model, string Hash), TemplateResult> _entries = new();
    private int _added;

    private EmbeddingCache(string? path) => Path = path;

    public string? Path { get; }

    /// <summary>True when the file existed but was unreadable or corrupt and was ignored.</summary>
    public bool WasCorrupt { get; private set; }

    public int Count => _entries.Count;

    /// <summary>An in-memory cache that is never written.</summary>
    public static EmbeddingCache InMemory() => new(null);

    public static EmbeddingCache Load(string path)
    {
        var cache = new EmbeddingCache(path);
        if (!File.Exists(path)) return cache;
        try
        {
            cache.Read(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                                      or EndOfStreamException or ArgumentException or DecoderFallbackException)
        {
            cache._entries.Clear();
            cache.WasCorrupt = true;
        }
        return cache;
    }

    public static byte[] HashContent(ReadOnlySpan<byte> content) => SHA256.HashData(content);

    public bool TryGet(string modelId, byte[] contentHash, out TemplateResult result) =>
        _entries.TryGetValue((modelId, Convert.ToHexString(contentHash)), out result!);

    public void Set(string modelId, byte[] contentHash, TemplateResult result)
    {
        _entries[(modelId, Convert.ToHexString(contentHash))] = result;
        Interlocked.Increment(ref _added);
    }

    /// <summary>Writes the file when anything was added (or it was corrupt); atomic via a temp file.</summary>
    public void Save()
    {
        if (Path is null || (_added == 0 && !WasCorrupt)) return;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        Directory.CreateDirectory(dir);
        var tmp = System.IO.Path.Combine(dir, System.IO.Path.GetFileName(Path) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        File.WriteAllBytes(tmp, Serialize());
        File.Move(tmp, Path, overwrite: true);
        _added = 0;
        WasCorrupt = false;
    }

    private byte[] Serialize()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            var entries = _entries.ToArray();
            w.Write(entries.Length);
            foreach (var ((model, hash), result) in entries)
            {
                w.Write(model);
                w.Write(Convert.FromHexString(hash));
                if (result.Embedding is { } e)
                {
                    w.Write((byte)0);
                    w.Write(e.Dimension);
                    foreach (var v in e.Vector) w.Write(v);
                }
                else
                {
                    w.Write((byte)result.Failure!.Value);
                    w.Write(result.Message ?? "");
                }
            }
        }
        var body = ms.ToArray();
        return [.. body, .. SHA256.HashData(body)];
    }

    private void Read(byte[] bytes)
    {
        if (bytes.Length < Magic.Length + 4 + 32) throw new InvalidDataException("cache file too short");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new InvalidDataException("cache checksum mismatch");
        using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("not a FaceKit embedding cache");
        int count = r.ReadInt32();
        if (count < 0) throw new InvalidDataException("negative entry count");
        for (int i = 0; i < count; i++)
        {
            string model = r.ReadString();
            string hash = Convert.ToHexString(r.ReadBytes(32));
            byte status = r.ReadByte();
            TemplateResult result;
            if (status == 0)
            {
                int dim = r.ReadInt32();
                if (dim <= 0 || dim > 65536) throw new InvalidDataException("bad embedding dimension");
                var v = new float[dim];
                for (int k = 0; k < dim; k++) v[k] = r.ReadSingle();
                result = TemplateResult.Success(new Embedding(v, model, normalize: false));
            }
            else if (Enum.IsDefined((TemplateFailureKind)status))
                result = TemplateResult.Failed((TemplateFailureKind)status, r.ReadString());
            else
                throw new InvalidDataException("bad entry status");
            _entries[(model, hash)] = result;
        }
    }
}
