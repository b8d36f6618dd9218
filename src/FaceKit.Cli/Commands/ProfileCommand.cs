using System.CommandLine;
using System.Globalization;
using FaceKit.Cli.Output;
using FaceKit.Core.Errors;
using FaceKit.Profiling;
using FaceKit.Profiling.Latency;
using FaceKit.Onnx;
using FaceKit.Profiling.Reporting;
using FaceKit.Profiling.Targets;

namespace FaceKit.Cli.Commands;

/// <summary>
/// `facekit profile MODEL.onnx [MORE.onnx…]`: MACC, params, weights, activation peak, flash/RAM estimates,
/// offload rate on a target and ONNX Runtime latency; several models print one comparison table.
/// </summary>
public static class ProfileCommand
{
    public static Command Build(ContextHolder holder)
    {
        var models = new Argument<string[]>("models") { Description = "ONNX model files (two or more: a comparison table)", Arity = ArgumentArity.OneOrMore };
        var target = new Option<string?>("--target")
        {
            Description = $"target profile: {string.Join(", ", TargetProfile.BuiltinNames)}, or a profile JSON file",
        };
        var layers = new Option<bool>("--layers") { Description = "print the per-layer table" };
        var markdown = new Option<bool>("--markdown") { Description = "print Markdown instead of text" };
        var compare = new Option<bool>("--compare") { Description = "print the comparison table (the default for two or more models)" };
        var runs = new Option<int>("--runs") { Description = "timed ONNX Runtime runs for latency (0 = skip)", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs before timing", DefaultValueFactory = _ => 3 };
        var inputShapes = new Option<string[]>("--input-shape")
        {
            Description = "shape for a dynamic input, NAME=1x3x240x320 (or just the dims for a single-input model)",
            AllowMultipleArgumentsPerToken = false,
        };
        var assumeInt8 = new Option<bool>("--assume-int8") { Description = "evaluate a float model as if quantised to int8 QDQ (for int8-only targets)" };
        var paperTable = new Option<bool>("--paper-table")
        {
            Description = "print the NPU MobileFaceNet paper's Table 1 beside these v1/v2/v3 exports (variant from facekit.architecture metadata or a v1/v2/v3 file name); target stm32n6-npu unless --target",
        };
        var charts = new Option<string?>("--charts") { Description = "write per-layer PNG bar charts (MACC, live activations) into this folder" };
        var command = new Command("profile", "MACC, weights, activation memory, flash/RAM, accelerator offload rate and latency of ONNX models")
        {
            models, target, layers, markdown, compare, runs, warmup, inputShapes, assumeInt8, charts, paperTable,
        };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            bool paper = parse.GetValue(paperTable);
            var profile = parse.GetValue(target) is { Length: > 0 } name ? TargetProfile.Resolve(name)
                : paper ? TargetProfile.Builtin("stm32n6-npu") : null;
            var variants = new List<string>();
            int timedRuns = parse.GetValue(runs);
            if (timedRuns < 0) throw FaceKitException.BadInput("--runs must be 0 or more");
            int threads = parse.GetValue(GlobalOptions.Threads);
            var shapeArgs = parse.GetValue(inputShapes) ?? [];
            var results = new List<ModelProfile>();
            foreach (var path in parse.GetValue(models)!)
            {
                var model = OnnxModel.Load(path);
                if (paper) variants.Add(Variant(model, path));
                var shapes = ParseShapes(shapeArgs, model);
                var result = ModelProfiler.Profile(model, new ProfileOptions
                {
                    Target = profile,
                    AssumeInt8 = parse.GetValue(assumeInt8) || paper,
                    InputShapes = shapes,
                    Label = Path.GetFileName(path),
                });
                if (timedRuns > 0)
                {
                    var latency = LatencyBench.Measure(path, new LatencyOptions
                    {
                        Runs = timedRuns, Warmup = Math.Max(0, parse.GetValue(warmup)), Threads = threads, InputShapes = shapes,
                    });
                    result = result with { Latency = latency with { Machine = BenchCommand.MachineDescription() } };
                }
                results.Add(result);
                if (parse.GetValue(charts) is { } chartDir)
                    foreach (var png in ProfileCharts.Write(result, chartDir, Path.GetFileNameWithoutExtension(path)))
                        if (!ctx.Json) ctx.Err.WriteLine($"wrote {png}");
            }

            if (paper)
            {
                var tagged = variants.Zip(results).ToList();
                if (ctx.Json) JsonOutput.Write(ctx.Out, new { models = results, findings = PaperTable.Findings(tagged) });
                else ctx.Out.Write(PaperTable.Markdown(tagged));
            }
            else if (ctx.Json)
                JsonOutput.Write(ctx.Out, results.Count == 1 ? results[0] : new { models = results });
            else if (results.Count == 1 && !parse.GetValue(compare))
                ctx.Out.Write(parse.GetValue(markdown) ? ProfileReport.Markdown(results[0], parse.GetValue(layers)) : ProfileReport.Text(results[0], parse.GetValue(layers)));
            else
            {
                ctx.Out.Write(ProfileReport.Compare(results, parse.GetValue(markdown)));
                if (parse.GetValue(layers))
                    foreach (var r in results)
                    {
                        ctx.Out.WriteLine();
                        ctx.Out.Write(parse.GetValue(markdown) ? ProfileReport.Markdown(r, true) : ProfileReport.Text(r, true));
                    }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>v1, v2 or v3: from the export's facekit.architecture metadata, else from the file name.</summary>
    private static string Variant(OnnxModel model, string path)
    {
        var text = (model.MetadataValue("facekit.architecture") ?? "") + " " + Path.GetFileName(path);
        var match = System.Text.RegularExpressions.Regex.Match(text, @"(?<![a-z0-9])v([123])(?![0-9])|-v([123])\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return match.Success ? "v" + (match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value)
            : throw FaceKitException.BadInput($"{path}: --paper-table needs a MobileFaceNet v1/v2/v3 export (facekit.architecture metadata or v1/v2/v3 in the file name)");
    }

    /// <summary>NAME=1x3x240x320 pairs; a bare shape belongs to the model's only input.</summary>
    private static Dictionary<string, long[]>? ParseShapes(string[] args, OnnxModel model)
    {
        if (args.Length == 0) return null;
        var initializers = model.Graph.Initializers.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = model.Graph.Inputs.Select(i => i.Name).Where(n => !initializers.Contains(n)).ToList();
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var arg in args)
        {
            int eq = arg.LastIndexOf('=');
            string name = eq >= 0 ? arg[..eq] : inputs.Count == 1 ? inputs[0]
                : throw FaceKitException.BadInput($"--input-shape {arg}: the model has {inputs.Count} inputs ({string.Join(", ", inputs)}); write NAME=DIMS");
            var dims = arg[(eq + 1)..].Split('x', 'X', ',');
            var shape = new long[dims.Length];
            for (int i = 0; i < dims.Length; i++)
                if (!long.TryParse(dims[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] <= 0)
                    throw FaceKitException.BadInput($"--input-shape {arg}: '{dims[i]}' is not a positive dimension");
            shapes[name] = shape;
        }
        return shapes;
    }
}
