using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using FaceKit.Core.Embeddings;

namespace FaceKit.Native;

/// <summary>
/// The stored form of a template (see facekit.h): "FKTP", format version, element type, dim, image
/// count, model id, then dim little-endian float32 values, L2-normalised.
/// </summary>
internal static class TemplateBlob
{
    public const ushort FormatVersion = 1;
    public const ushort Float32 = 1;
    public const int HeaderSize = 20;
    public const int MaxDimension = 4096;
    public const int MaxModelIdBytes = 256;
    private static ReadOnlySpan<byte> Magic => "FKTP"u8;
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static byte[] Encode(Embedding embedding, int imageCount)
    {
        var id = Encoding.UTF8.GetBytes(embedding.ModelId);
        if (id.Length is 0 or > MaxModelIdBytes) throw new NativeError(Status.Internal, $"model id '{embedding.ModelId}' cannot be stored");
        var v = embedding.Vector;
        var blob = new byte[HeaderSize + id.Length + 4 * v.Length];
        var s = blob.AsSpan();
        Magic.CopyTo(s);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], Float32);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)v.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], (uint)imageCount);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)id.Length);
        id.CopyTo(s[HeaderSize..]);
        var data = s[(HeaderSize + id.Length)..];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data[(4 * i)..], v[i]);
        return blob;
    }

    /// <summary>A template read back and checked; every way it can be wrong is a status, never a crash.</summary>
    public static unsafe (Embedding Embedding, int ImageCount) Decode(FkTemplate* t, string what)
    {
        if (t == null) throw NativeError.Argument($"{what} is NULL");
        if (t->Data == null || t->Size == 0) throw NativeError.Argument($"{what} is empty (NULL data or zero size)");
        if (t->Size < HeaderSize) throw Bad(what, $"{t->Size} bytes is shorter than a template header");
        if (t->Size > HeaderSize + MaxModelIdBytes + 4 * MaxDimension) throw Bad(what, $"{t->Size} bytes is longer than any template");
        var s = new ReadOnlySpan<byte>(t->Data, (int)t->Size);
        if (!s[..4].SequenceEqual(Magic)) throw Bad(what, "not a FaceKit template (no FKTP magic)");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(s[4..]);
        if (version != FormatVersion)
            throw new NativeError(Status.TemplateVersion,
                $"{what} has template format version {version}; this library reads version {FormatVersion}");
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(s[6..]);
        if (type != Float32) throw Bad(what, $"element type {type} is unknown");
        uint dim = BinaryPrimitives.ReadUInt32LittleEndian(s[8..]);
        uint images = BinaryPrimitives.ReadUInt32LittleEndian(s[12..]);
        uint idLength = BinaryPrimitives.ReadUInt32LittleEndian(s[16..]);
        if (dim is 0 or > MaxDimension) throw Bad(what, $"dimension {dim} is out of range");
        if (idLength is 0 or > MaxModelIdBytes) throw Bad(what, $"model id length {idLength} is out of range");
        if (images == 0 || images > int.MaxValue) throw Bad(what, $"image count {images} is out of range");
        long expected = HeaderSize + idLength + 4L * dim;
        if ((long)t->Size != expected) throw Bad(what, $"size is {t->Size} bytes; its header says {expected}");
        string modelId;
        try { modelId = StrictUtf8.GetString(s.Slice(HeaderSize, (int)idLength)); }
        catch (DecoderFallbackException) { throw Bad(what, "model id is not UTF-8"); }
        var v = new float[dim];
        var data = s[(HeaderSize + (int)idLength)..];
        for (int i = 0; i < v.Length; i++) v[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
        foreach (var x in v)
            if (!float.IsFinite(x)) throw Bad(what, "holds a value that is not a finite number");
        float norm = TensorPrimitives.Norm(v);
        if (MathF.Abs(norm - 1f) > 1e-3f) throw Bad(what, $"is not normalised (length {norm:0.####})");
        return (new Embedding(v, modelId, normalize: false), (int)images);
    }

    /// <summary>Copies the blob into library-owned native memory (freed by fk_free_template).</summary>
    public static unsafe void Write(byte[] blob, FkTemplate* output)
    {
        var p = (byte*)NativeMemory.Alloc((nuint)blob.Length);
        blob.CopyTo(new Span<byte>(p, blob.Length));
        output->Data = p;
        output->Size = (nuint)blob.Length;
    }

    private static NativeError Bad(string what, string why) => new(Status.BadTemplate, $"{what}: {why}");
}
