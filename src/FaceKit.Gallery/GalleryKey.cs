using System.Security.Cryptography;
using System.Text;
using FaceKit.Core.Errors;

namespace FaceKit.Gallery;

/// <summary>
/// Template-encryption keys as people keep them. The library never reads files or the environment;
/// an edge (CLI, server) reads a key file or variable and hands its content here.
/// Accepted forms: exactly 16/24/32 raw bytes, or that many bytes written as base64 or hex text.
/// </summary>
public static class GalleryKey
{
    /// <summary>A new random 256-bit key, as base64 text (what a key file or variable holds).</summary>
    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes in <paramref name="content"/>; <paramref name="source"/> names it in errors (never the key).</summary>
    public static byte[] Parse(ReadOnlySpan<byte> content, string source)
    {
        if (content.Length is 16 or 24 or 32 && !IsText(content)) return content.ToArray();
        string text;
        try { text = new UTF8Encoding(false, true).GetString(content).Trim(); }
        catch (DecoderFallbackException) { throw Bad(source, content.Length); }
        return Parse(text, source);
    }

    /// <summary>The key bytes written as base64 or hex text in <paramref name="text"/>.</summary>
    public static byte[] Parse(string text, string source)
    {
        text = (text ?? "").Trim();
        if (text.Length == 0) throw FaceKitException.BadInput($"gallery key from {source} is empty");
        byte[]? key = null;
        if (text.Length is 32 or 48 or 64 && text.All(Uri.IsHexDigit))
        {
            key = Convert.FromHexString(text);
        }
        else
        {
            var buffer = new byte[text.Length];
            if (Convert.TryFromBase64String(text, buffer, out int written)) key = buffer[..written];
        }
        if (key is null || key.Length is not (16 or 24 or 32))
            throw Bad(source, key?.Length);
        return key;
    }

    private static bool IsText(ReadOnlySpan<byte> content)
    {
        foreach (byte b in content)
            if (b is < 0x20 or > 0x7E && b is not ((byte)'\n' or (byte)'\r' or (byte)'\t')) return false;
        return true;
    }

    private static FaceKitException Bad(string source, int? length) => FaceKitException.BadInput(
        $"gallery key from {source} is not a 128/192/256-bit key (give 16/24/32 raw bytes, or base64 or hex text{(length is null ? "" : $"; got {length} bytes")})");
}
