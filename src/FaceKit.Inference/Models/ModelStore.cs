using System.Security.Cryptography;
using FaceKit.Core.Errors;

namespace FaceKit.Inference.Models;

/// <summary>The folder where installed model files live (default ~/.cache/facekit/models).</summary>
public sealed class ModelStore
{
    public ModelStore(string directory, ModelManifest? manifest = null)
    {
        Directory = Path.GetFullPath(directory);
        Manifest = manifest ?? ModelManifest.Default;
    }

    public string Directory { get; }
    public ModelManifest Manifest { get; }

    public static string DefaultDirectory(string homeDirectory) => Path.Combine(homeDirectory, ".cache", "facekit", "models");

    public string PathOf(ModelInfo model) => Path.Combine(Directory, model.File);

    /// <summary>The path of an installed model; throws ModelMissing with the install command when it is not there.</summary>
    public string Require(ModelInfo model)
    {
        var path = PathOf(model);
        if (!File.Exists(path))
            throw new FaceKitException(ErrorCode.ModelMissing,
                $"model '{model.Id}' is not installed in {Directory}; run 'facekit models install'");
        return path;
    }

    public bool IsInstalled(ModelInfo model) => File.Exists(PathOf(model));

    /// <summary>True when the installed file's sha256 matches the pinned one.</summary>
    public bool Verify(ModelInfo model) =>
        IsInstalled(model) && string.Equals(Sha256File(PathOf(model)), Manifest.Sha256Of(model), StringComparison.OrdinalIgnoreCase);

    public static string Sha256File(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
