using System.CommandLine;
using System.Globalization;
using FaceKit.Cli.Output;
using FaceKit.Core.Errors;
using FaceKit.Inference;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Models;
using FaceKit.Onnx;
using FaceKit.Training.Quantization;

namespace FaceKit.Cli.Commands;

/// <summary>
/// `facekit quantize MODEL.onnx --calib DIR --out MODEL.int8.onnx`: static INT8 post-training quantisation (QDQ,
/// per-channel int8 weights, per-tensor activations calibrated on the faces in DIR). Writes MODEL.int8.onnx.json
/// beside the output so `--embedder MODEL.int8.onnx` runs it like its source.
/// </summary>
public static class QuantizeCommand
{
    public static Command Build(ContextHolder holder)
    {
        var model = new Argument<string>("model") { Description = "the fp32 ONNX model to quantise" };
        var calib = new Option<string>("--calib") { Description = "calibration images: aligned crops of the model's input size as they are, other photos detected and aligned", Required = true };
        var output = new Option<string>("--out") { Description = "where to write the int8 model (and MODEL.onnx.json beside it)", Required = true };
        var samples = new Option<int>("--samples") { Description = "calibration faces to use", DefaultValueFactory = _ => 100 };
        var method = new Option<string>("--method") { Description = "activation ranges: percentile (tails clipped) or minmax", DefaultValueFactory = _ => "percentile" };
        var percentile = new Option<double>("--percentile") { Description = "for --method percentile: share of values kept at each end", DefaultValueFactory = _ => 99.99 };
        var activations = new Option<string>("--activations") { Description = "activation type: uint8 (asymmetric), int8 (symmetric, for TensorRT) or int8-asym (ST Edge AI's ss/sa)", DefaultValueFactory = _ => "uint8" };
        var reduceRange = new Option<string>("--reduce-range")
        {
            Description = "7-bit weights against int16 saturation in ONNX Runtime's x86 kernels without VNNI: input (the layer reading the image), all or none",
            DefaultValueFactory = _ => "input",
        };
        var exclude = new Option<string[]>("--exclude") { Description = "node name to keep in fp32 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var mean = new Option<float?>("--mean") { Description = "input normalisation (pixel − mean) / scale, for a model without a description" };
        var scale = new Option<float?>("--scale") { Description = "see --mean" };
        var channels = new Option<string?>("--channels") { Description = "input channel order: RGB, BGR or GRAY" };
        var layout = new Option<string?>("--layout") { Description = "input layout: NCHW or NHWC" };
        var command = new Command("quantize", "INT8 post-training quantisation (QDQ, per-channel weights) calibrated on face images")
        {
            model, calib, output, samples, method, percentile, activations, reduceRange, exclude, mean, scale, channels, layout,
        };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var options = new QuantizationOptions
            {
                Method = parse.GetValue(method)!.ToLowerInvariant() switch
                {
                    "minmax" => CalibrationMethod.MinMax,
                    "percentile" => CalibrationMethod.Percentile,
                    var m => throw FaceKitException.BadInput($"--method must be minmax or percentile, not '{m}'"),
                },
                Percentile = parse.GetValue(percentile) is var p and > 50 and <= 100 ? p : throw FaceKitException.BadInput("--percentile must be above 50 and at most 100"),
                Activations = parse.GetValue(activations)!.ToLowerInvariant() switch
                {
                    "uint8" => ActivationType.UInt8,
                    "int8" => ActivationType.Int8,
                    "int8-asym" => ActivationType.Int8Asymmetric,
                    var a => throw FaceKitException.BadInput($"--activations must be uint8, int8 or int8-asym, not '{a}'"),
                },
                ReducedRange = parse.GetValue(reduceRange)!.ToLowerInvariant() switch
                {
                    "input" => ReducedRange.Input,
                    "all" => ReducedRange.All,
                    "none" => ReducedRange.None,
                    var r => throw FaceKitException.BadInput($"--reduce-range must be input, all or none, not '{r}'"),
                },
                ExcludedNodes = parse.GetValue(exclude) ?? [],
                Threads = parse.GetValue(GlobalOptions.Threads),
            };
            int count = parse.GetValue(samples);
            if (count < 1) throw FaceKitException.BadInput("--samples must be at least 1");
            var modelPath = parse.GetValue(model)!;
            var outPath = parse.GetValue(output)!;
            var calibFolder = parse.GetValue(calib)!;
            if (!Directory.Exists(calibFolder)) throw FaceKitException.BadInput($"--calib {calibFolder}: no such folder");

            var onnx = OnnxModel.Load(modelPath);
            var source = SourceModel.Describe(modelPath, onnx, ModelManifest.Default, new PreprocessingOverrides
            {
                Mean = parse.GetValue(mean), Scale = parse.GetValue(scale), Channels = parse.GetValue(channels), Layout = parse.GetValue(layout),
            });
            var faces = CalibrationFaces.Load(calibFolder, count, source.Input.Size, new ImageLoader(), () => ctx.Pipeline, ctx.Logger("FaceKit.Training"));
            var report = ModelQuantizer.Run(modelPath, onnx, source, faces.Faces, outPath, options);

            var s = report.Summary;
            var scheme = options.Activations.Describe();
            var how = options.Method == CalibrationMethod.MinMax ? "min/max" : $"percentile {options.Percentile.ToString(CultureInfo.InvariantCulture)}";
            if (ctx.Json)
                JsonOutput.Write(ctx.Out, new
                {
                    source = report.Source, output = report.Output, sidecar = report.Sidecar, model_id = report.ModelId, described_by = report.DescribedBy,
                    input = new { size = source.Input.Size, layout = source.Input.Layout, channels = source.Input.Channels, mean = source.Input.Mean, scale = source.Input.Scale },
                    calibration_faces = report.CalibrationFaces, calibration_skipped = faces.Skipped,
                    method = options.Method == CalibrationMethod.MinMax ? "minmax" : "percentile", percentile = options.Percentile,
                    activations = parse.GetValue(activations)!.ToLowerInvariant(), reduce_range = options.ReducedRange.ToString().ToLowerInvariant(),
                    quantized_nodes = s.QuantizedNodes, qdq_tensors = s.QdqTensors,
                    skipped = s.Skipped.Select(k => new { node = k.Node, op_type = k.OpType, reason = k.Reason }),
                    weight_bytes_fp32 = s.FloatWeightBytes, weight_bytes_int8 = s.QuantizedWeightBytes,
                    source_bytes = report.SourceBytes, output_bytes = report.OutputBytes, opset_before = s.OpsetBefore, opset_after = s.OpsetAfter,
                });
            else
            {
                ctx.Out.WriteLine($"wrote {report.Output} ({Mib(report.OutputBytes)}, source {Mib(report.SourceBytes)}) and {Path.GetFileName(report.Sidecar)}: embedder id {report.ModelId}");
                ctx.Out.WriteLine($"  {s.QuantizedNodes} {string.Join("/", options.OpTypes)} nodes with int8 per-channel weights ({Mib(s.FloatWeightBytes)} fp32 → {Mib(s.QuantizedWeightBytes)}), "
                                  + $"{s.QdqTensors} activations {scheme} per-tensor; opset {s.OpsetBefore} → {s.OpsetAfter}");
                ctx.Out.WriteLine($"  calibrated ({how}) on {report.CalibrationFaces} faces from {calibFolder} ({faces.AlreadyAligned} already aligned, {faces.Skipped} images skipped)");
                ctx.Out.WriteLine($"  input: {source.Input.Channels} {source.Input.Layout} {source.Input.Size}×{source.Input.Size}, (pixel − {source.Input.Mean}) / {source.Input.Scale}, from {report.DescribedBy}");
                foreach (var k in s.Skipped) ctx.Out.WriteLine($"  kept fp32: {k.OpType} '{k.Node}': {k.Reason}");
                ctx.Out.WriteLine($"  use it: facekit verify A.jpg B.jpg --embedder {report.Output}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F2", CultureInfo.InvariantCulture) + " MiB";
}
