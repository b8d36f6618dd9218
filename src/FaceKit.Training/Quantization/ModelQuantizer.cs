using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Models;
using FaceKit.Onnx;

namespace FaceKit.Training.Quantization;

/// <summary>What one quantisation run produced.</summary>
public sealed record QuantizationReport
{
    public required string Source { get; init; }
    public required string Output { get; init; }
    /// <summary>MODEL.int8.onnx.json: the quantised model's description, so it is selected like its source (`--embedder PATH`).</summary>
    public required string Sidecar { get; init; }
    public required string ModelId { get; init; }
    public required string DescribedBy { get; init; }
    public required int CalibrationFaces { get; init; }
    public required QuantizationSummary Summary { get; init; }
    public required IReadOnlyDictionary<string, TensorRange> Ranges { get; init; }
    public required long SourceBytes { get; init; }
    public required long OutputBytes { get; init; }
}

/// <summary>
/// The whole of `facekit quantize` below the command line: plan the QDQ rewrite, measure the activation ranges it
/// needs on the fp32 model over the calibration faces, write the int8 model and its sidecar.
/// </summary>
public static class ModelQuantizer
{
    public static QuantizationReport Run(string modelPath, OnnxModel model, SourceModel source, IReadOnlyList<ImageBuffer> faces, string outputPath,
        QuantizationOptions? options = null, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        options ??= new QuantizationOptions();
        if (Path.GetFullPath(outputPath) == Path.GetFullPath(modelPath))
            throw FaceKitException.BadInput($"{outputPath}: the output would overwrite the model being quantised");
        var plan = QdqQuantizer.Plan(model, options);
        if (plan.Targets.Count == 0)
            throw FaceKitException.BadInput($"{Path.GetFileName(modelPath)}: no {string.Join("/", options.OpTypes)} node with a constant weight to quantise");
        var ranges = ActivationCalibrator.Measure(model, plan.Tensors, faces, source.Input, options, progress, cancel);
        // The image input's range is known exactly, whatever pixels the calibration faces happen to hold: with
        // mean 127, scale 128 it is [−127/128, 128/128], whose uint8 grid is the pixel grid itself (lossless).
        var initializers = model.Graph.Initializers.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in model.Graph.Inputs.Where(i => !initializers.Contains(i.Name) && ranges.ContainsKey(i.Name)))
            ranges[input.Name] = source.Input.PixelRange;
        var (quantized, summary) = QdqQuantizer.Quantize(model, ranges, options);

        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        if (!Directory.Exists(directory)) throw FaceKitException.BadInput($"{directory}: no such folder for --out");
        var bytes = quantized.ToBytes();
        var temporary = outputPath + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, outputPath, overwrite: true);
        var info = source.QuantizedInfo(outputPath);
        ModelSidecar.Write(outputPath, info);
        return new QuantizationReport
        {
            Source = modelPath,
            Output = outputPath,
            Sidecar = ModelSidecar.PathFor(outputPath),
            ModelId = info.Id,
            DescribedBy = source.DescribedBy,
            CalibrationFaces = faces.Count,
            Summary = summary,
            Ranges = ranges,
            SourceBytes = new FileInfo(modelPath).Length,
            OutputBytes = bytes.Length,
        };
    }
}
