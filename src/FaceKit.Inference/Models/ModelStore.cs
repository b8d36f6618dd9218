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

    /// <summary>
    /// A model by catalogue name or id; else a local model described by a sidecar (<see cref="ModelSidecar"/>):
    /// a path to MODEL.onnx with MODEL.onnx.json beside it, or the name or id of a MODEL.onnx.json in this folder
    /// (what `facekit export --register NAME` writes). Unknown names fail with the catalogue's list.
    /// </summary>
    public ModelInfo Find(string nameIdOrPath, ModelRole role)
    {
        if (Manifest.TryFind(nameIdOrPath, role) is { } packaged) return packaged;
        if (File.Exists(nameIdOrPath) || nameIdOrPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(nameIdOrPath)) throw FaceKitException.BadInput($"{nameIdOrPath}: no such model file");
            var sidecar = ModelSidecar.PathFor(Path.GetFullPath(nameIdOrPath));
            if (!File.Exists(sidecar))
                throw FaceKitException.BadInput($"{nameIdOrPath}: no {Path.GetFileName(sidecar)} beside it to say how to feed it ('facekit export' writes one)");
            return WithRole(ModelSidecar.Read(sidecar), role, sidecar);
        }
        if (System.IO.Directory.Exists(Directory))
            foreach (var sidecar in System.IO.Directory.EnumerateFiles(Directory, "*.onnx" + ModelSidecar.Suffix).Order(StringComparer.Ordinal))
            {
                bool named = string.Equals(Path.GetFileName(sidecar), nameIdOrPath + ".onnx" + ModelSidecar.Suffix, StringComparison.OrdinalIgnoreCase);
                ModelInfo local;
                try
                {
                    local = ModelSidecar.Read(sidecar);
                }
                catch (FaceKitException) when (!named)
                {
                    continue; // someone else's broken file must not stop the lookup of this one
                }
                if (named || string.Equals(local.Id, nameIdOrPath, StringComparison.OrdinalIgnoreCase) || string.Equals(local.Name, nameIdOrPath, StringComparison.OrdinalIgnoreCase))
                    return WithRole(local, role, sidecar);
            }
        return Manifest.Find(nameIdOrPath, role);
    }

    private static ModelInfo WithRole(ModelInfo model, ModelRole role, string source) =>
        model.Role == role
            ? model
            : throw FaceKitException.BadInput($"{source} describes a {model.Role.ToString().ToLowerInvariant()}, not a {role.ToString().ToLowerInvariant()}");

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
