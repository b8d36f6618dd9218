using System.CommandLine;
using FaceKit.Cli.Output;
using FaceKit.Core.Errors;
using FaceKit.Inference.Liveness;

namespace FaceKit.Cli.Commands;

/// <summary>
/// `facekit liveness IMAGE [--threshold T] [--json]`: presentation-attack check of the largest face
/// (every face is reported). Exit 0 when the largest face is called live, 1 when it is not, 2 when
/// the image is unusable or has no face.
/// </summary>
public static class LivenessCommand
{
    public static Command Build(ContextHolder holder)
    {
        var image = new Argument<string>("image") { Description = "image file" };
        var threshold = new Option<float?>("--threshold")
        {
            Description = "live when the live probability reaches this (default 0.5, uncalibrated: no attack data was available)",
        };
        var command = new Command("liveness", "presentation-attack detection (is the face a live person?) with fr_liveness") { image, threshold };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var path = parse.GetValue(image)!;
            var options = new LivenessOptions();
            if (parse.GetValue(threshold) is { } t)
            {
                if (!(t is >= 0 and <= 1)) throw FaceKitException.BadInput($"--threshold must be between 0 and 1, not {t}");
                options = options with { Threshold = t };
            }
            var picture = ctx.Pipeline.Load(path);
            var faces = ctx.Pipeline.Detect(picture);
            if (faces.Count == 0) throw FaceKitException.NoFace($"{Path.GetFileName(path)}: no face found");
            using var checker = LivenessChecker.Create(ctx.ModelDirectory, ctx.PipelineOptions.Inference, options, logger: ctx.Logger("FaceKit.Inference"));
            var results = faces.Select(f => checker.Check(picture, f.Box)).ToList();
            var largest = results[0];
            if (ctx.Json)
            {
                JsonOutput.Write(ctx.Out, new
                {
                    image = path,
                    model = checker.ModelId,
                    threshold = checker.Threshold,
                    live = largest.IsLive,
                    score = Round(largest.Score),
                    faces = results.Select(r => new
                    {
                        box = new[] { r.Face.X1, r.Face.Y1, r.Face.X2, r.Face.Y2 }.Select(v => MathF.Round(v, 1)).ToArray(),
                        live = r.IsLive,
                        score = Round(r.Score),
                        probabilities = r.ClassProbabilities.Select(Round).ToArray(),
                        crop = new[] { r.Crop.X1, r.Crop.Y1, r.Crop.X2, r.Crop.Y2 },
                    }).ToList(),
                });
            }
            else
            {
                foreach (var r in results)
                    ctx.Out.WriteLine($"box [{r.Face.X1:F0},{r.Face.Y1:F0},{r.Face.X2:F0},{r.Face.Y2:F0}] live score {r.Score:F3}: {(r.IsLive ? "live" : "NOT live")}");
                ctx.Out.WriteLine($"{path}: {(largest.IsLive ? "live" : "not live")} (score {largest.Score:F3}, threshold {checker.Threshold:0.###})");
            }
            return largest.IsLive ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }

    private static float Round(float v) => MathF.Round(v, 4);
}
