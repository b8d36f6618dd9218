using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using FaceKit.Core.Errors;
using FaceKit.Inference.Models;
using FaceKit.Onnx;

namespace FaceKit.Training.Export;

/// <summary>
/// Saves an exported model where the inference code finds it: MODEL.onnx with MODEL.onnx.json beside it (a
/// <see cref="ModelSidecar"/>: the models.json-style entry saying how to feed it), so `--embedder MODEL.onnx`
/// works; registering saves the pair into the models folder as NAME.onnx, so `--embedder NAME` works too.
/// The id is "local/NAME@" + the first 12 hex digits of the file's sha256: templates made with different weights
/// never share a model id, so a gallery refuses to mix them.
/// </summary>
public static partial class ExportedEmbedder
{
    public static ModelInfo Save(OnnxModel model, string path, string? name = null)
    {
        path = Path.GetFullPath(path);
        name ??= Path.GetFileNameWithoutExtension(path);
        var bytes = model.ToBytes();
        var info = Describe(model, name, Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]) with { File = path };
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var tmp = path + ".tmp";
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, path, overwrite: true);
            ModelSidecar.Write(path, info);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FaceKitException.BadInput($"{path}: cannot write ({e.Message})", e);
        }
        return info;
    }

    /// <summary>Saves as NAME.onnx (+ NAME.onnx.json) in the models folder; NAME must not be a packaged model's.</summary>
    public static ModelInfo Register(OnnxModel model, string modelsDirectory, string name)
    {
        if (!NamePattern().IsMatch(name))
            throw FaceKitException.BadInput($"model name '{name}': use letters, digits, '.', '_' and '-' (at most 64, not starting with '.')");
        if (ModelManifest.Default.Models.Any(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(m.Id, name, StringComparison.OrdinalIgnoreCase)))
            throw FaceKitException.BadInput($"model name '{name}' is a packaged model's; choose another");
        return Save(model, Path.Combine(modelsDirectory, name + ".onnx"), name);
    }

    /// <summary>The sidecar entry of an exported model, its input spec read back from the model's own metadata.</summary>
    public static ModelInfo Describe(OnnxModel model, string name, string hash)
    {
        string Meta(string key) => model.MetadataValue(key) ?? throw new ArgumentException($"the model has no {key} metadata; export it with {nameof(FaceModelExporter)}");
        float Number(string key) => float.Parse(Meta(key), NumberStyles.Float, CultureInfo.InvariantCulture);
        int side = int.Parse(Meta(FaceModelExporter.MetadataKeys.InputSize), CultureInfo.InvariantCulture);
        var arch = Meta(FaceModelExporter.MetadataKeys.Architecture);
        var dim = Meta(FaceModelExporter.MetadataKeys.EmbeddingSize);
        var step = model.MetadataValue("facekit.checkpoint_step");
        return new ModelInfo(
            Id: $"{ModelSidecar.LocalPack}/{name}@{hash}", Name: name, Pack: ModelSidecar.LocalPack, File: name + ".onnx", Role: ModelRole.Embedder,
            Input: [side, side], Layout: Meta(FaceModelExporter.MetadataKeys.Layout), Channels: Meta(FaceModelExporter.MetadataKeys.Channels),
            Mean: Number(FaceModelExporter.MetadataKeys.Mean), Scale: Number(FaceModelExporter.MetadataKeys.Scale),
            Output: $"{dim}-d embedding, not normalised ({arch} trained with facekit train{(step is null ? "" : $", step {step}")}; exported by facekit export)");
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
