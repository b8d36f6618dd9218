using System.CommandLine;
using FaceKit.Cli.Output;

namespace FaceKit.Cli.Commands;

/// <summary>`facekit detect IMAGE...`: faces with box, score and five landmarks.</summary>
public static class DetectCommand
{
    public static Command Build(ContextHolder holder)
    {
        var images = new Argument<string[]>("images") { Description = "image files", Arity = ArgumentArity.OneOrMore };
        var command = new Command("detect", "detect faces: box, score, landmarks") { images };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var paths = parse.GetValue(images)!;
            var results = new List<object>();
            foreach (var path in paths)
            {
                var image = ctx.Pipeline.Load(path);
                var faces = ctx.Pipeline.Detect(image);
                results.Add(new { image = path, width = image.Width, height = image.Height, faces = faces.Select(FaceJson.From).ToList() });
                if (!ctx.Json)
                {
                    ctx.Out.WriteLine($"{path}: {faces.Count} face(s)");
                    foreach (var f in faces)
                        ctx.Out.WriteLine($"  box [{f.Box.X1:F0},{f.Box.Y1:F0},{f.Box.X2:F0},{f.Box.Y2:F0}] score {f.Score:F3}");
                }
            }
            if (ctx.Json)
            {
                // One image keeps the documented flat shape {"faces":[…]}; several images are listed.
                JsonOutput.Write(ctx.Out, results.Count == 1 ? results[0] : new { images = results });
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
