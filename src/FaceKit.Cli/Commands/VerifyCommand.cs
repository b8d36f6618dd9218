using System.CommandLine;
using FaceKit.Cli.Output;

namespace FaceKit.Cli.Commands;

/// <summary>`facekit verify A B`: cosine similarity of the two largest faces against a threshold.</summary>
public static class VerifyCommand
{
    public static Command Build(ContextHolder holder)
    {
        var a = new Argument<string>("image-a");
        var b = new Argument<string>("image-b");
        var threshold = new Option<float?>("--threshold") { Description = "accept when similarity ≥ this (default: the embedder's calibrated threshold)" };
        var command = new Command("verify", "1:1 — are the largest faces of two images the same person? exit 0 same, 1 different") { a, b, threshold };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var t = parse.GetValue(threshold) ?? ctx.DefaultThreshold;
            var fa = ctx.Pipeline.AnalyzeLargest(parse.GetValue(a)!);
            var fb = ctx.Pipeline.AnalyzeLargest(parse.GetValue(b)!);
            float similarity = fa.Embedding.Similarity(fb.Embedding);
            bool same = similarity >= t;
            if (ctx.Json)
                JsonOutput.Write(ctx.Out, new { similarity = MathF.Round(similarity, 5), same, threshold = t, model = fa.Embedding.ModelId, face_a = FaceJson.From(fa.Face), face_b = FaceJson.From(fb.Face) });
            else
                ctx.Out.WriteLine($"{(same ? "same person" : "different people")}: similarity {similarity:F4} (threshold {t:F3})");
            return same ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }
}
