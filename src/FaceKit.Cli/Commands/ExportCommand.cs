using System.CommandLine;
using FaceKit.Cli.Output;
using FaceKit.Core.Errors;
using FaceKit.Inference.Models;
using FaceKit.Training.Export;

namespace FaceKit.Cli.Commands;

/// <summary>
/// `facekit export --checkpoint FILE --out MODEL.onnx [--register NAME]`: a training checkpoint as an ONNX embedder
/// (BatchNorm folded), with MODEL.onnx.json beside it so `--embedder MODEL.onnx` works; `--register NAME` also saves
/// it into the models folder as NAME.onnx, so `--embedder NAME` works.
/// </summary>
public static class ExportCommand
{
    public static Command Build(ContextHolder holder)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "a checkpoint of facekit train (RUN/last.ckpt or RUN/best.ckpt)", Required = true };
        var output = new Option<string?>("--out") { Description = "ONNX file to write (MODEL.onnx.json, its description, is written beside it)" };
        var register = new Option<string?>("--register") { Description = "also save it into the models folder as NAME, selectable with --embedder NAME" };
        var command = new Command("export", "export a trained checkpoint to ONNX for use as --embedder") { checkpoint, output, register };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            string? outPath = parse.GetValue(output), name = parse.GetValue(register);
            if (outPath is null && name is null) throw FaceKitException.BadInput("give --out MODEL.onnx, --register NAME, or both");
            var path = parse.GetValue(checkpoint)!;
            var model = FaceModelExporter.ExportCheckpoint(path);
            var saved = outPath is null ? null : ExportedEmbedder.Save(model, outPath);
            var registered = name is null ? null : ExportedEmbedder.Register(model, ctx.ModelDirectory, name);
            var info = registered ?? saved!;
            var arch = model.MetadataValue(FaceModelExporter.MetadataKeys.Architecture);
            var dim = model.MetadataValue(FaceModelExporter.MetadataKeys.EmbeddingSize);
            if (ctx.Json)
                JsonOutput.Write(ctx.Out, new
                {
                    checkpoint = Path.GetFullPath(path), architecture = arch, dim = int.Parse(dim!),
                    model = saved?.Id, path = saved?.File, registered = registered is null ? null : new { name, model = registered.Id, path = registered.File },
                    channels = info.Channels, mean = info.Mean, scale = info.Scale,
                });
            else
            {
                ctx.Out.WriteLine($"{arch} {dim}-d from {path}: {model.Graph.Nodes.Count} nodes, BatchNorm folded");
                if (saved is not null) ctx.Out.WriteLine($"  {saved.File} (+ {Path.GetFileName(ModelSidecar.PathFor(saved.File))}): use --embedder {saved.File}");
                if (registered is not null) ctx.Out.WriteLine($"  registered as {name} ({registered.Id}) in {ctx.ModelDirectory}: use --embedder {name}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
