using System.CommandLine;
using FaceKit.Cli.Output;

namespace FaceKit.Cli.Commands;

/// <summary>`facekit embed IMAGE`: the embedding of the largest face.</summary>
public static class EmbedCommand
{
    public static Command Build(ContextHolder holder)
    {
        var image = new Argument<string>("image") { Description = "image file" };
        var command = new Command("embed", "embedding of the largest face") { image };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var face = ctx.Pipeline.AnalyzeLargest(parse.GetValue(image)!);
            if (ctx.Json)
                JsonOutput.Write(ctx.Out, new { model = face.Embedding.ModelId, dim = face.Embedding.Dimension, face = FaceJson.From(face.Face), embedding = face.Embedding.Vector });
            else
                ctx.Out.WriteLine($"{face.Embedding.ModelId} {face.Embedding.Dimension}-d: {string.Join(' ', face.Embedding.Vector.Select(v => v.ToString("F5")))}");
            return ExitCodes.Success;
        });
        return command;
    }
}
