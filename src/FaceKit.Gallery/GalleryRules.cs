using System.Globalization;
using FaceKit.Core.Errors;
using FaceKit.Gallery.Security;
using FaceKit.Gallery.Sqlite;

namespace FaceKit.Gallery;

/// <summary>
/// The rules every gallery backend applies the same way, with the same words, so a caller (and a
/// test) cannot tell from an error which store is underneath. Messages match <see cref="SqliteGallery"/>'s.
/// </summary>
internal static class GalleryRules
{
    /// <summary>Refuses a template of another model, or of the bound model at another dimension.</summary>
    public static void RefuseForeign((string ModelId, int Dimension) bound, string modelId, int dimension)
    {
        if (bound.ModelId != modelId)
            throw FaceKitException.Conflict($"gallery holds templates of model {bound.ModelId}; refusing {modelId}");
        if (bound.Dimension != dimension)
            throw FaceKitException.Conflict(
                $"gallery holds {bound.Dimension}-d templates of model {bound.ModelId}; refusing a {dimension}-d template");
    }

    public static void RefuseForeignProbe((string ModelId, int Dimension)? binding, string probeModel)
    {
        if (binding is { } bound && bound.ModelId != probeModel)
            throw FaceKitException.Conflict($"gallery holds templates of model {bound.ModelId}; probe is from {probeModel}");
    }

    public static string CleanSettingKey(string key)
    {
        var trimmed = key?.Trim();
        return string.IsNullOrEmpty(trimmed) ? throw FaceKitException.BadInput("setting key is empty") : trimmed;
    }

    /// <summary>A caller's setting: not under the gallery's own prefix, and with a value.</summary>
    public static void CheckCallerSetting(string key, string? value)
    {
        if (key.StartsWith(GalleryStore.ReservedPrefix, StringComparison.Ordinal))
            throw FaceKitException.BadInput($"setting '{key}' is kept by the gallery itself");
        if (value is null) throw FaceKitException.BadInput($"setting '{key}' has no value");
    }

    public static void CheckTopK(int topK)
    {
        if (topK < 1) throw FaceKitException.BadInput($"top-k must be at least 1, not {topK}");
    }

    public static FaceKitException NoSubject(string name) => FaceKitException.NotFound($"no subject named '{name}'");

    public static FaceKitException NoTemplate(long id) => FaceKitException.NotFound($"no template with id {id}");

    public static FaceKitException Corrupt(string gallery, string what) =>
        new(ErrorCode.StorageUnavailable, $"gallery {gallery} is corrupt: {what}");

    /// <summary>The audit detail of an identification.</summary>
    public static string IdentifyDetail(int topK, GalleryMatch[] matches) => matches.Length == 0
        ? $"top={topK} matches=0"
        : string.Create(CultureInfo.InvariantCulture, $"top={topK} matches={matches.Length} similarity={matches[0].Similarity:0.0000}");

    /// <summary>
    /// A template vector as stored: little-endian floats, sealed with <paramref name="cipher"/> when
    /// there is one (the row's identity is the associated data, so the id must be known first).
    /// </summary>
    public static byte[] SealVector(TemplateCipher? cipher, ReadOnlySpan<float> vector, long templateId, long subjectId, string modelId)
    {
        var plain = VectorBlob.Encode(vector);
        return cipher is null ? plain : cipher.Seal(plain, TemplateCipher.VectorAad(templateId, subjectId, modelId, vector.Length));
    }

    public static byte[]? SealImage(TemplateCipher? cipher, byte[]? image, long templateId) =>
        image is null || cipher is null ? image : cipher.Seal(image, TemplateCipher.ImageAad(templateId));

    /// <summary>
    /// Opens a stored vector into <paramref name="vector"/> (its length is the dimension). Refuses a
    /// sealed row without a key, a clear row with one, a blob of the wrong size, and a wrong key.
    /// </summary>
    public static void OpenVector(TemplateCipher? cipher, ReadOnlySpan<byte> blob, bool isSealed, long templateId, long subjectId,
        string modelId, Span<float> vector, string gallery)
    {
        if (isSealed != (cipher is not null))
            throw isSealed
                ? FaceKitException.BadInput($"gallery {gallery} is encrypted; give its key to open it")
                : FaceKitException.Conflict($"gallery {gallery} holds unencrypted templates; refusing to mix them with encrypted ones");
        int plainLength = vector.Length * sizeof(float);
        if (blob.Length != plainLength + (isSealed ? TemplateCipher.Overhead : 0))
            throw Corrupt(gallery, $"template {templateId} is not {vector.Length}-d like the gallery");
        if (!isSealed)
        {
            VectorBlob.Decode(blob, vector);
            return;
        }
        var plain = new byte[plainLength];
        if (!cipher!.TryOpen(blob, plain, TemplateCipher.VectorAad(templateId, subjectId, modelId, vector.Length)))
            throw FaceKitException.BadInput(
                $"template {templateId} in gallery {gallery} does not open with this key (wrong key, or the row was altered)");
        VectorBlob.Decode(plain, vector);
    }

    /// <summary>A stored image opened for the caller: null when none was stored.</summary>
    public static byte[]? OpenImage(TemplateCipher? cipher, byte[]? image, bool isSealed, long templateId, string gallery)
    {
        if (image is null || !isSealed) return image;
        if (cipher is null) throw FaceKitException.BadInput($"gallery {gallery} is encrypted; give its key to read images");
        var plain = new byte[Math.Max(0, image.Length - TemplateCipher.Overhead)];
        return image.Length >= TemplateCipher.Overhead && cipher.TryOpen(image, plain, TemplateCipher.ImageAad(templateId))
            ? plain
            : throw FaceKitException.BadInput($"image of template {templateId} does not open with this key (wrong key, or the row was altered)");
    }
}
