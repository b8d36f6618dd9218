using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using FaceKit.Core.Errors;

namespace FaceKit.Inference.Models;

/// <summary>One file a pack ships: where it sits in the package tarball and its pinned checksum.</summary>
public sealed record PackFile(string Path, string Sha256);

/// <summary>A registry package that carries model files, pinned by version.</summary>
public sealed record ModelPack(string Id, string Npm, string Version, string License, IReadOnlyDictionary<string, PackFile> Files);

public enum ModelRole { Detector, Landmarker, Embedder, Liveness }

/// <summary>What a model file is and how to feed it; adding a model is one entry in models.json.</summary>
public sealed record ModelInfo(
    string Id, string Name, string Pack, string File, ModelRole Role, int[] Input,
    string Layout, string Channels, float Mean, float Scale, string Output, float? Threshold = null);

/// <summary>The catalogue of known model packs and models, read from the embedded models.json.</summary>
public sealed class ModelManifest
{
    public required IReadOnlyList<ModelPack> Packs { get; init; }
    public required IReadOnlyList<ModelInfo> Models { get; init; }

    public static ModelManifest Default { get; } = LoadEmbedded();

    public ModelPack Pack(string id) =>
        Packs.FirstOrDefault(p => p.Id == id) ?? throw FaceKitException.NotFound($"unknown model pack '{id}'");

    public string Sha256Of(ModelInfo model) => Pack(model.Pack).Files[model.File].Sha256;

    /// <summary>Finds a model by id or short name, checking it has the expected role.</summary>
    public ModelInfo Find(string nameOrId, ModelRole role)
    {
        var m = Models.FirstOrDefault(x => x.Role == role &&
            (string.Equals(x.Id, nameOrId, StringComparison.OrdinalIgnoreCase) || string.Equals(x.Name, nameOrId, StringComparison.OrdinalIgnoreCase)));
        return m ?? throw FaceKitException.BadInput(
            $"unknown {role.ToString().ToLowerInvariant()} '{nameOrId}' (known: {string.Join(", ", Models.Where(x => x.Role == role).Select(x => x.Name))})");
    }

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
