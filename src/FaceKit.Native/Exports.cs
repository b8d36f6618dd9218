using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using FaceKit.Core.Embeddings;
using FaceKit.Gallery;
using Microsoft.ML.OnnxRuntime;

namespace FaceKit.Native;

/// <summary>
/// The C entry points of include/facekit.h. Each one catches everything: an exception must never
/// reach native code (NativeAOT would fail fast and take the host process with it).
/// </summary>
internal static unsafe class Exports
{
    public const int Major = 1, Minor = 0, Patch = 0;

    // ---------------------------------------------------------------- library

    [UnmanagedCallersOnly(EntryPoint = "fk_version")]
    public static int Version(int* major, int* minor, int* patch)
    {
        LastError.Clear();
        if (major != null) *major = Major;
        if (minor != null) *minor = Minor;
        if (patch != null) *patch = Patch;
        return Status.Ok;
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_last_error")]
    public static byte* LastErrorMessage() => LastError.Current;

    [UnmanagedCallersOnly(EntryPoint = "fk_status_name")]
    public static byte* StatusName(int status) => status switch
    {
        Status.Ok => Literal("FK_OK"u8),
        Status.InvalidArgument => Literal("FK_ERR_INVALID_ARGUMENT"u8),
        Status.InvalidHandle => Literal("FK_ERR_INVALID_HANDLE"u8),
        Status.BadImage => Literal("FK_ERR_BAD_IMAGE"u8),
        Status.NoFace => Literal("FK_ERR_NO_FACE"u8),
        Status.BadTemplate => Literal("FK_ERR_BAD_TEMPLATE"u8),
        Status.TemplateVersion => Literal("FK_ERR_TEMPLATE_VERSION"u8),
        Status.ModelMismatch => Literal("FK_ERR_MODEL_MISMATCH"u8),
        Status.ModelMissing => Literal("FK_ERR_MODEL_MISSING"u8),
        Status.NotFound => Literal("FK_ERR_NOT_FOUND"u8),
        Status.Storage => Literal("FK_ERR_STORAGE"u8),
        Status.Config => Literal("FK_ERR_CONFIG"u8),
        Status.Internal => Literal("FK_ERR_INTERNAL"u8),
        _ => Literal("FK_UNKNOWN"u8),
    };

    [UnmanagedCallersOnly(EntryPoint = "fk_init")]
    public static int Init(byte* configOrModelDir, nint* output)
    {
        try
        {
            if (output == null) throw NativeError.Argument("fk_init: out is NULL");
            string arg = Utf8(configOrModelDir, "config_or_model_dir");
            NativeEngine engine;
            try
            {
                engine = NativeEngine.Create(NativeConfig.Read(arg));
            }
            catch (OnnxRuntimeException e)
            {
                throw new NativeError(Status.ModelMissing, $"cannot load the models: {e.Message}");
            }
            *output = Handles.Add(engine);
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, badInput: Status.Config); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_release")]
    public static int Release(nint handle)
    {
        try
        {
            if (handle == 0) return Ok();
            return Handles.Release<NativeEngine>(handle) ? Ok() : throw Invalid("handle", handle);
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_model_id")]
    public static int ModelId(nint handle, byte* buffer, nuint capacity)
    {
        try
        {
            if (buffer == null) throw NativeError.Argument("buffer is NULL");
            string id = Handles.Get<NativeEngine>(handle, "handle").Use(e => e.ModelId);
            var bytes = Encoding.UTF8.GetBytes(id);
            if ((ulong)bytes.Length + 1 > capacity) throw NativeError.Argument($"buffer of {capacity} bytes is too small; {bytes.Length + 1} needed");
            bytes.CopyTo(new Span<byte>(buffer, bytes.Length));
            buffer[bytes.Length] = 0;
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_threshold")]
    public static int Threshold(nint handle, double* threshold)
    {
        try
        {
            if (threshold == null) throw NativeError.Argument("threshold is NULL");
            *threshold = Handles.Get<NativeEngine>(handle, "handle").Use(e => e.Threshold);
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    // ---------------------------------------------------------------- templates

    [UnmanagedCallersOnly(EntryPoint = "fk_create_template")]
    public static int CreateTemplate(nint handle, byte* image, nuint length, FkTemplate* output, FkEyes* eyes)
    {
        try
        {
            var lent = Handles.Get<NativeEngine>(handle, "handle");
            if (output == null) throw NativeError.Argument("out is NULL");
            if (image == null) throw NativeError.Argument("encoded_image is NULL");
            if (length == 0) throw NativeError.Argument("len is 0: no image bytes");
            if (length > int.MaxValue) throw new NativeError(Status.BadImage, $"image of {length} bytes is too large");
            var copy = new ReadOnlySpan<byte>(image, (int)length).ToArray();
            var blob = lent.Use(engine =>
            {
                var face = engine.Largest(engine.Decode(copy, "image"));
                if (eyes != null) *eyes = NativeEngine.Eyes(face);
                return face is null ? throw NativeEngine.NoFace("image") : TemplateBlob.Encode(face.Embedding, 1);
            });
            TemplateBlob.Write(blob, output);
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.BadImage); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_create_template_raw")]
    public static int CreateTemplateRaw(nint handle, byte* pixels, int width, int height, int stride, int format, FkTemplate* output, FkEyes* eyes)
    {
        try
        {
            var lent = Handles.Get<NativeEngine>(handle, "handle");
            if (output == null) throw NativeError.Argument("out is NULL");
            var img = NativeEngine.Raw(pixels, 0, width, height, stride, format, "image");
            var blob = lent.Use(engine =>
            {
                var face = engine.Largest(img);
                if (eyes != null) *eyes = NativeEngine.Eyes(face);
                return face is null ? throw NativeEngine.NoFace("image") : TemplateBlob.Encode(face.Embedding, 1);
            });
            TemplateBlob.Write(blob, output);
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.BadImage); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_create_template_multi")]
    public static int CreateTemplateMulti(nint handle, FkImage* images, nuint count, FkTemplate* output, FkEyes* eyes)
    {
        try
        {
            var lent = Handles.Get<NativeEngine>(handle, "handle");
            if (output == null) throw NativeError.Argument("out is NULL");
            if (images == null) throw NativeError.Argument("images is NULL");
            if (count == 0) throw NativeError.Argument("count is 0: no images");
            if (count > 10_000) throw NativeError.Argument($"count {count} is above the limit of 10000 images");
            int n = (int)count;
            // Copy every caller buffer up front: nothing of the caller's is read after validation.
            var inputs = new (byte[]? Encoded, Core.Imaging.ImageBuffer? Raw)[n];
            for (int i = 0; i < n; i++)
            {
                var im = images[i];
                string name = $"images[{i}]";
                if (im.Format == PixelFormats.Encoded)
                {
                    if (im.Data == null) throw NativeError.Argument($"{name}: data is NULL");
                    if (im.Size == 0) throw NativeError.Argument($"{name}: size is 0");
                    if (im.Size > int.MaxValue) throw new NativeError(Status.BadImage, $"{name}: {im.Size} bytes is too large");
                    inputs[i] = (new ReadOnlySpan<byte>(im.Data, (int)im.Size).ToArray(), null);
                }
                else
                {
                    inputs[i] = (null, NativeEngine.Raw(im.Data, im.Size, im.Width, im.Height, im.Stride, im.Format, name));
                }
            }
            var found = new FkEyes[n];
            var blob = lent.Use(engine =>
            {
                var parts = new List<Embedding>(n);
                for (int i = 0; i < n; i++)
                {
                    string name = $"images[{i}]";
                    var img = inputs[i].Raw ?? engine.Decode(inputs[i].Encoded, name);
                    var face = engine.Largest(img);
                    found[i] = NativeEngine.Eyes(face);
                    if (face is not null) parts.Add(face.Embedding);
                }
                return parts.Count == 0 ? null : TemplateBlob.Encode(NativeEngine.Average(parts), parts.Count);
            });
            if (eyes != null) found.CopyTo(new Span<FkEyes>(eyes, n));
            if (blob is null) throw new NativeError(Status.NoFace, $"no face found in any of the {n} images");
            TemplateBlob.Write(blob, output);
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.BadImage); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_match")]
    public static int Match(nint handle, FkTemplate* a, FkTemplate* b, double* similarity)
    {
        try
        {
            Handles.Get<NativeEngine>(handle, "handle");
            if (similarity == null) throw NativeError.Argument("similarity is NULL");
            var (ea, _) = TemplateBlob.Decode(a, "template a");
            var (eb, _) = TemplateBlob.Decode(b, "template b");
            if (ea.ModelId != eb.ModelId)
                throw new NativeError(Status.ModelMismatch, $"cannot compare templates of '{ea.ModelId}' and '{eb.ModelId}'");
            if (ea.Dimension != eb.Dimension)
                throw new NativeError(Status.BadTemplate, $"templates of '{ea.ModelId}' with {ea.Dimension} and {eb.Dimension} values");
            *similarity = ea.Similarity(eb);
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_template_info")]
    public static int TemplateInfo(FkTemplate* t, int* dimension, int* imageCount)
    {
        try
        {
            var (e, images) = TemplateBlob.Decode(t, "template");
            if (dimension != null) *dimension = e.Dimension;
            if (imageCount != null) *imageCount = images;
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_free_template")]
    public static int FreeTemplate(FkTemplate* t)
    {
        try
        {
            if (t == null) return Ok();
            if (t->Data != null) NativeMemory.Free(t->Data);
            t->Data = null;
            t->Size = 0;
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    // ---------------------------------------------------------------- gallery

    [UnmanagedCallersOnly(EntryPoint = "fk_gallery_open")]
    public static int GalleryOpen(byte* path, nint* output)
    {
        try
        {
            if (output == null) throw NativeError.Argument("out is NULL");
            string p = Utf8(path, "path");
            SqliteSetup.Ensure();
            *output = Handles.Add(SqliteGallery.Open(p));
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.Storage); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_gallery_close")]
    public static int GalleryClose(nint gallery)
    {
        try
        {
            if (gallery == 0) return Ok();
            return Handles.Release<SqliteGallery>(gallery) ? Ok() : throw Invalid("gallery", gallery);
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_enroll")]
    public static int Enroll(nint gallery, byte* subjectId, FkTemplate* t)
    {
        try
        {
            var lent = Handles.Get<SqliteGallery>(gallery, "gallery");
            string name = Utf8(subjectId, "subject_id");
            var (e, _) = TemplateBlob.Decode(t, "template");
            lent.Use(g => g.Enroll(name, [e]));
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_identify")]
    public static int Identify(nint gallery, FkTemplate* probe, int k, FkCandidate** candidates, nuint* count)
    {
        try
        {
            var lent = Handles.Get<SqliteGallery>(gallery, "gallery");
            if (candidates == null) throw NativeError.Argument("candidates is NULL");
            if (count == null) throw NativeError.Argument("count is NULL");
            if (k < 1) throw NativeError.Argument($"k must be at least 1, not {k}");
            var (e, _) = TemplateBlob.Decode(probe, "probe");
            var matches = lent.Use(g => g.Identify(e, k));
            *candidates = Candidates(matches);
            *count = (nuint)matches.Count;
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_free_candidates")]
    public static int FreeCandidates(FkCandidate* candidates)
    {
        try
        {
            if (candidates != null) NativeMemory.Free(candidates);
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_gallery_remove")]
    public static int GalleryRemove(nint gallery, byte* subjectId)
    {
        try
        {
            var lent = Handles.Get<SqliteGallery>(gallery, "gallery");
            string name = Utf8(subjectId, "subject_id");
            lent.Use(g => { g.DeleteSubject(name); return 0; });
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    [UnmanagedCallersOnly(EntryPoint = "fk_gallery_count")]
    public static int GalleryCount(nint gallery, long* templates)
    {
        try
        {
            var lent = Handles.Get<SqliteGallery>(gallery, "gallery");
            if (templates == null) throw NativeError.Argument("templates is NULL");
            *templates = lent.Use(g => (long)g.TemplateCount);
            return Ok();
        }
        catch (Exception e) { return LastError.Fail(e, Status.InvalidArgument); }
    }

    // ---------------------------------------------------------------- helpers

    private static int Ok()
    {
        LastError.Clear();
        return Status.Ok;
    }

    private static NativeError Invalid(string what, nint id) =>
        new(Status.InvalidHandle, $"{what} 0x{id:x} is not a live {what} (never created, already released, or of another kind)");

    private static string Utf8(byte* p, string what)
    {
        if (p == null) throw NativeError.Argument($"{what} is NULL");
        var s = Marshal.PtrToStringUTF8((nint)p);
        return string.IsNullOrEmpty(s) ? throw NativeError.Argument($"{what} is empty") : s;
    }

    /// <summary>One allocation: the array, then the NUL-terminated names it points into.</summary>
    private static FkCandidate* Candidates(IReadOnlyList<GalleryMatch> matches)
    {
        if (matches.Count == 0) return null;
        var names = new byte[matches.Count][];
        nuint total = (nuint)(sizeof(FkCandidate) * matches.Count);
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = Encoding.UTF8.GetBytes(matches[i].Name);
            total += (nuint)names[i].Length + 1;
        }
        var block = (byte*)NativeMemory.Alloc(total);
        var array = (FkCandidate*)block;
        byte* text = block + sizeof(FkCandidate) * matches.Count;
        for (int i = 0; i < names.Length; i++)
        {
            names[i].CopyTo(new Span<byte>(text, names[i].Length));
            text[names[i].Length] = 0;
            array[i] = new FkCandidate { SubjectId = text, Similarity = matches[i].Similarity, TemplateId = matches[i].TemplateId };
            text += names[i].Length + 1;
        }
        return array;
    }

    /// <summary>A pointer to a u8 literal: static data with a NUL after it, never moved or freed.</summary>
    private static byte* Literal(ReadOnlySpan<byte> s) => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(s));
}

/// <summary>Microsoft.Data.Sqlite finds its SQLite provider by reflection, which NativeAOT trims; set it directly.</summary>
internal static class SqliteSetup
{
    private static readonly Lock Gate = new();
    private static bool _done;

    public static void Ensure()
    {
        lock (Gate)
        {
            if (_done) return;
            SQLitePCL.Batteries_V2.Init();
            _done = true;
        }
    }
}
