using FaceKit.Core.Errors;
using FaceKit.Inference.Models;
using FaceKit.Onnx;

namespace FaceKit.Training.Quantization;

/// <summary>Normalisation given on the command line; each set field overrides what the model's description says.</summary>
public sealed record PreprocessingOverrides
{
    public float? Mean { get; init; }
    public float? Scale { get; init; }
    public string? Channels { get; init; }
    public string? Layout { get; init; }
}

/// <summary>
/// What a model file to be quantised is and how it is fed. Looked up, in order: MODEL.onnx.json beside it (what
/// `facekit export` and `facekit quantize` write), the packaged catalogue by the file's sha256 (a pinned file, or
/// a file derived from one at install such as fr_feature_batch.onnx), the normalisation `facekit export` puts in the
/// model's metadata; command-line values override any of them and are required when none exists.
/// </summary>
public sealed record SourceModel(ModelInfo? Info, InputPreprocessing Input, string DescribedBy)
{
    public static SourceModel Describe(string modelPath, OnnxModel model, ModelManifest manifest, PreprocessingOverrides? overrides = null)
    {
        overrides ??= new PreprocessingOverrides();
        ModelInfo? info = null;
        InputPreprocessing? input = null;
        string by;
        var sidecar = ModelSidecar.PathFor(Path.GetFullPath(modelPath));
        if (File.Exists(sidecar))
        {
            info = ModelSidecar.Read(sidecar);
            by = Path.GetFileName(sidecar);
        }
        else if (Catalogued(modelPath, manifest) is { } packaged)
        {
            info = packaged;
            by = $"the model catalogue ({packaged.Id})";
        }
        else
        {
            input = InputPreprocessing.FromMetadata(model);
            by = input is null ? "the command line" : "the model's export metadata";
        }
        if (info is not null) input = InputPreprocessing.From(info);

        if (input is null)
        {
            if (overrides.Mean is null || overrides.Scale is null || overrides.Channels is null)
                throw FaceKitException.BadInput(
                    $"{Path.GetFileName(modelPath)} is not in the model catalogue and has no {Path.GetFileName(sidecar)} or export metadata: give --mean, --scale and --channels (and --layout if not NCHW)");
            input = InputPreprocessing.Create(InputSide(model, overrides.Layout ?? "NCHW"), overrides.Layout ?? "NCHW", overrides.Channels,
                overrides.Mean.Value, overrides.Scale.Value);
        }
        else if (overrides != new PreprocessingOverrides())
        {
            input = InputPreprocessing.Create(input.Size, overrides.Layout ?? input.Layout, overrides.Channels ?? input.Channels,
                overrides.Mean ?? input.Mean, overrides.Scale ?? input.Scale);
            by += " with command-line overrides";
        }
        return new SourceModel(info, input, by);
    }

    /// <summary>The description the quantised copy carries in its sidecar: a new id (templates of the two models differ slightly).</summary>
    public ModelInfo QuantizedInfo(string outputPath)
    {
        var stem = Path.GetFileNameWithoutExtension(outputPath);
        var input = new[] { Input.Size, Input.Size };
        return Info is { } source
            ? source with
            {
                Id = source.Id + "+int8", Name = source.Name + "-int8", Pack = ModelSidecar.LocalPack, File = Path.GetFileName(outputPath),
                Input = input, Layout = Input.Layout, Channels = Input.Channels, Mean = Input.Mean, Scale = Input.Scale,
                Output = source.Output + "; int8 QDQ (facekit quantize)", Parts = null,
            }
            : new ModelInfo($"local/{stem}", stem, ModelSidecar.LocalPack, Path.GetFileName(outputPath), ModelRole.Embedder, input,
                Input.Layout, Input.Channels, Input.Mean, Input.Scale, "embedding, not normalised; int8 QDQ (facekit quantize)");
    }

    private static ModelInfo? Catalogued(string modelPath, ModelManifest manifest)
    {
        var sha = ModelStore.Sha256File(modelPath);
        foreach (var pack in manifest.Packs)
        {
            string? file = pack.Files.FirstOrDefault(f => Same(f.Value.Sha256, sha)).Key
                           ?? pack.Imports?.FirstOrDefault(f => Same(f.Value.Sha256, sha)).Key;
            if (file is null) continue;
            // A shipped file that the catalogue uses through a derived one (fr_feature.onnx → fr_feature_batch.onnx) is fed the same way.
            var derived = pack.Imports?.Where(i => i.Value.From == file).Select(i => i.Key).ToHashSet(StringComparer.Ordinal) ?? [];
            var model = manifest.Models.FirstOrDefault(m => m.Pack == pack.Id && (m.File == file || (m.Parts?.Contains(file) ?? false)))
                        ?? manifest.Models.FirstOrDefault(m => m.Pack == pack.Id && derived.Contains(m.File));
            if (model is not null) return model;
        }
        return null;
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static int InputSide(OnnxModel model, string layout)
    {
        var initializers = model.Graph.Initializers.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var shape = model.Graph.Inputs.FirstOrDefault(i => !initializers.Contains(i.Name))?.Shape;
        int axis = layout.Equals("NHWC", StringComparison.OrdinalIgnoreCase) ? 1 : 2;
        return shape is { Count: 4 } && shape[axis].Value is { } side ? (int)side : 112;
    }
}
