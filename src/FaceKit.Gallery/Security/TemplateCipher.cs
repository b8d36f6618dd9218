using System.Security.Cryptography;
using System.Text;
using FaceKit.Core.Errors;

namespace FaceKit.Gallery.Security;

/// <summary>
/// AES-GCM sealing of template vectors and images. A sealed blob is nonce (12 bytes, random per
/// blob) | ciphertext | tag (16 bytes). The associated data binds a blob to its row (template id,
/// subject id, model, dimension), so a blob copied or moved to another row fails to open instead
/// of silently matching someone else's name.
/// </summary>
internal sealed class TemplateCipher : IDisposable
{
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int Overhead = NonceSize + TagSize;
    public const string Scheme = "aes-gcm";
    private static readonly byte[] KeyCheckPlain = Encoding.ASCII.GetBytes("facekit gallery key check v1....");
    private static readonly byte[] KeyCheckAad = Encoding.ASCII.GetBytes("facekit/key-check/v1");

    private readonly AesGcm _aes;

    public TemplateCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (16 or 24 or 32))
            throw FaceKitException.BadInput($"gallery key must be 16, 24 or 32 bytes (AES-128/192/256), not {key.Length}");
        _aes = new AesGcm(key, TagSize);
    }

    public byte[] Seal(ReadOnlySpan<byte> plain, ReadOnlySpan<byte> aad)
    {
        var sealedBlob = new byte[plain.Length + Overhead];
        var nonce = sealedBlob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes.Encrypt(nonce, plain, sealedBlob.AsSpan(NonceSize, plain.Length), sealedBlob.AsSpan(NonceSize + plain.Length), aad);
        return sealedBlob;
    }

    /// <summary>Opens <paramref name="sealedBlob"/> into <paramref name="plain"/>; false when the key or data is wrong.</summary>
    public bool TryOpen(ReadOnlySpan<byte> sealedBlob, Span<byte> plain, ReadOnlySpan<byte> aad)
    {
        if (sealedBlob.Length != plain.Length + Overhead) return false;
        try
        {
            _aes.Decrypt(sealedBlob[..NonceSize], sealedBlob.Slice(NonceSize, plain.Length), sealedBlob[(NonceSize + plain.Length)..], plain, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            plain.Clear();
            return false;
        }
    }

    /// <summary>A value stored in the gallery that only the right key opens (the key itself is never stored).</summary>
    public string MakeKeyCheck() => Convert.ToBase64String(Seal(KeyCheckPlain, KeyCheckAad));

    public bool MatchesKeyCheck(string? stored)
    {
        if (stored is null) return false;
        byte[] blob;
        try { blob = Convert.FromBase64String(stored); }
        catch (FormatException) { return false; }
        var plain = new byte[KeyCheckPlain.Length];
        return TryOpen(blob, plain, KeyCheckAad) && plain.AsSpan().SequenceEqual(KeyCheckPlain);
    }

    public static byte[] VectorAad(long templateId, long subjectId, string modelId, int dimension) =>
        Encoding.UTF8.GetBytes($"facekit/template/v1|{templateId}|{subjectId}|{modelId}|{dimension}");

    public static byte[] ImageAad(long templateId) => Encoding.UTF8.GetBytes($"facekit/image/v1|{templateId}");

    public void Dispose() => _aes.Dispose();
}
