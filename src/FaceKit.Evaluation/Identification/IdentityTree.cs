using FaceKit.Core.Errors;

namespace FaceKit.Evaluation.Identification;

/// <summary>An identity and its image files, in ordinal name order.</summary>
public sealed record IdentityImages(string Identity, IReadOnlyList<string> Images);

/// <summary>ROOT/identity/image files: one folder per person (e.g. shared/data/celeba-train/images, orl).</summary>
public static class IdentityTree
{
    public static readonly IReadOnlyList<string> DefaultExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".webp"];

    public static IReadOnlyList<IdentityImages> Read(string root, IReadOnlyList<string>? extensions = null)
    {
        if (!Directory.Exists(root)) throw FaceKitException.BadInput($"identity folder not found: {root}");
        extensions ??= DefaultExtensions;
        var identities = Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal)
            .Select(dir => new IdentityImages(Path.GetFileName(dir), Directory.EnumerateFiles(dir)
                .Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToArray()))
            .Where(i => i.Images.Count > 0)
            .ToArray();
        if (identities.Length < 2) throw FaceKitException.BadInput($"{root}: needs at least two identity folders with images");
        return identities;
    }
}
