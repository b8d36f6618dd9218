using System.CommandLine;
using System.Globalization;
using FaceKit.Cli.Output;
using FaceKit.Core.Metrics;
using FaceKit.Evaluation.Extraction;
using FaceKit.Evaluation.Pairs;
using FaceKit.Evaluation.Verification;
using FaceKit.Gallery;

namespace FaceKit.Cli.Commands;

/// <summary>
/// `facekit calibrate --pairs FILE --target-fmr 1e-3 [--write-gallery DB]`: the threshold that gives the target
/// false-match rate on the user's own labelled pairs, optionally stored in a gallery so identify and the app use it.
/// </summary>
public static class CalibrateCommand
{
    public static Command Build(ContextHolder holder)
    {
        var pairs = new Option<string>("--pairs") { Description = "LFW pairs file (.txt) or pairs CSV (img_a,img_b,same)", Required = true };
        var root = new Option<string?>("--root") { Description = "images folder (required for LFW pairs files)" };
        var target = new Option<double>("--target-fmr") { Description = "false-match rate to aim for", DefaultValueFactory = _ => 1e-3 };
        var write = new Option<string?>("--write-gallery") { Description = "store the threshold in this gallery's settings" };
        var command = new Command("calibrate", "choose the verification threshold for a target FMR on labelled pairs")
            { pairs, root, target, write, EvalCommand.Cache, EvalCommand.NoCache, EvalCommand.Workers, EvalCommand.CropFallback };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var file = parse.GetValue(pairs)!;
            double fmr = parse.GetValue(target);
            if (fmr is <= 0 or >= 1) throw Core.Errors.FaceKitException.BadInput("--target-fmr must be between 0 and 1");
            var list = file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
                ? CsvPairs.Read(file, parse.GetValue(root))
                : LfwPairs.Read(file, parse.GetValue(root) ?? throw Core.Errors.FaceKitException.BadInput("--root is required with an LFW pairs file"));
            using var pipeline = EvalCommand.EvalPipeline(ctx, out var modelId);
            var result = ProgressDisplay.Run(ctx, "templates", p => new VerificationRunner(new PipelineTemplateExtractor(pipeline, modelId))
                .Run(list, new VerificationOptions { Extraction = EvalCommand.Extraction(ctx, modelId), Bootstrap = null }, p));
            var genuine = result.Scores.Where(s => s.Pair.Same).Select(s => s.Score).ToArray();
            var impostor = result.Scores.Where(s => !s.Pair.Same).Select(s => s.Score).ToArray();
            var calibration = ErrorRates.ThresholdForFmr(impostor, fmr);
            double fnmr = ErrorRates.Fnmr(genuine, calibration.Threshold);
            bool estimable = impostor.Length >= Math.Ceiling(1 / fmr);

            if (parse.GetValue(write) is { } galleryPath)
            {
                using var gallery = GalleryFactory.Open(galleryPath, ctx.GalleryOptions(createIfMissing: true));
                if (gallery.ModelId is { } m && m != modelId)
                    throw Core.Errors.FaceKitException.Conflict($"gallery holds templates of {m}; this calibration is for {modelId}");
                gallery.SetSetting("threshold", calibration.Threshold.ToString("R", CultureInfo.InvariantCulture));
                gallery.SetSetting("threshold_origin", $"calibrate: FMR {fmr:0e0} on {Path.GetFileName(file)} ({impostor.Length} impostor pairs)");
            }
            if (ctx.Json)
                JsonOutput.Write(ctx.Out, new
                {
                    model = modelId, target_fmr = fmr, threshold = calibration.Threshold, fmr = calibration.Fmr, fnmr,
                    false_matches = calibration.FalseMatches, impostor_pairs = calibration.Impostors, genuine_pairs = genuine.Length,
                    estimable, written_to = parse.GetValue(write),
                });
            else
            {
                ctx.Out.WriteLine($"threshold {calibration.Threshold:F4}: FMR {calibration.Fmr:P3} ({calibration.FalseMatches}/{calibration.Impostors}), FNMR {fnmr:P2} over {genuine.Length} genuine pairs");
                if (!estimable) ctx.Out.WriteLine($"warning: {impostor.Length} impostor pairs cannot resolve FMR {fmr:0e0} (needs ≥ {Math.Ceiling(1 / fmr)}); the threshold rejects every impostor seen");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
