using System.CommandLine;
using FaceKit.Cli.Output;
using FaceKit.Core.Embeddings;
using FaceKit.Gallery;

namespace FaceKit.Cli.Commands;

/// <summary>`facekit enroll --gallery DB NAME IMAGE...`: one template per image (its largest face) for a subject.</summary>
public static class EnrollCommand
{
    public static Command Build(ContextHolder holder)
    {
        var gallery = GalleryPathOption.Create();
        var name = new Argument<string>("name") { Description = "subject name" };
        var images = new Argument<string[]>("images") { Description = "one or more photos of the subject", Arity = ArgumentArity.OneOrMore };
        var command = new Command("enroll", "add templates of a subject to the gallery") { gallery, name, images };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            if (string.IsNullOrWhiteSpace(parse.GetValue(name)))
                throw Core.Errors.FaceKitException.BadInput("subject name is empty");
            // Every image is read and embedded before the gallery is touched: one bad photo writes nothing.
            var templates = new List<Embedding>();
            foreach (var path in parse.GetValue(images)!) templates.Add(ctx.Pipeline.AnalyzeLargest(path).Embedding);
            using var db = GalleryFactory.Open(parse.GetValue(gallery)!, ctx.GalleryOptions(createIfMissing: true), ctx.Logger("FaceKit.Gallery"));
            var subject = db.Enroll(parse.GetValue(name)!, templates);
            if (ctx.Json)
                JsonOutput.Write(ctx.Out, new { subject = subject.Name, templates_added = templates.Count, templates = subject.TemplateCount, model = templates[0].ModelId });
            else
                ctx.Out.WriteLine($"enrolled {subject.Name}: +{templates.Count} template(s), {subject.TemplateCount} in all");
            return ExitCodes.Success;
        });
        return command;
    }
}
