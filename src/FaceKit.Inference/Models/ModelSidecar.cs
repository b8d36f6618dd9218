using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using FaceKit.Core.Errors;

namespace FaceKit.Inference.Models;

/// <summary>
/// A model outside the packaged catalogue (one trained and exported here, or any ArcFace-style ONNX file) is
/// described by a JSON file beside it, MODEL.onnx.json, holding one entry in the form of models.json's "models"
/// (id, name, role, input, channels, mean, scale, …). Its "file" is relative to the sidecar's folder. With it the
/// model is selected by path (`--embedder run/model.onnx`) or, when the pair sits in the models folder, by name or id.
/// </summary>
public static class ModelSidecar
{
    public const string Suffix = ".json";

    /// <summary>The pack name local models carry: no registry package, nothing to install or pin.</summary>
    public const string LocalPack = "local";

    public static string PathFor(string modelPath) => modelPath + Suffix;

    /// <summary>Reads a sidecar; the entry's <see cref="ModelInfo.File"/> comes back as a full path.</summary>
    public static ModelInfo Read(string sidecarPath)
    {
        ModelInfo? info;
        try
        {
            using var stream = File.OpenRead(sidecarPath);
            info = JsonSerializer.Deserialize(stream, SidecarJsonContext.Default.ModelInfo);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw FaceKitException.BadInput($"{sidecarPath}: not a model description ({e.Message})", e);
        }
        if (info is null || string.IsNullOrEmpty(info.Id) || string.IsNullOrEmpty(info.File) || info.Input is not { Length: > 0 } || info.Scale == 0)
            throw FaceKitException.BadInput($"{sidecarPath}: a model description needs id, file, input and a non-zero scale");
        var folder = Path.GetDirectoryName(Path.GetFullPath(sidecarPath))!;
        return info with { File = Path.GetFullPath(Path.Combine(folder, info.File)) };
    }

    // A sidecar is a local file people read and edit: ids such as "local/x@sha+int8" keep their '+' instead of "\u002B".
    private static readonly SidecarJsonContext ReadableJson =
        new(new JsonSerializerOptions(SidecarJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, TypeInfoResolver = null });

    /// <summary>Writes MODEL.onnx.json beside the model, its "file" being the model's own file name.</summary>
    public static void Write(string modelPath, ModelInfo info)
    {
        var json = JsonSerializer.Serialize(info with { File = Path.GetFileName(modelPath) }, ReadableJson.ModelInfo);
        File.WriteAllText(PathFor(modelPath), json + "\n");
    }
}

/// <summary>Written as models.json is: camelCase names, lower-case roles; read leniently.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, WriteIndented = true, Converters = [typeof(RoleConverter)],
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelInfo))]
internal sealed partial class SidecarJsonContext : JsonSerializerContext;

internal sealed class RoleConverter() : JsonStringEnumConverter<ModelRole>(JsonNamingPolicy.CamelCase);
