using System.CommandLine;
using FaceKit.Cli.Output;
using FaceKit.Gallery;

namespace FaceKit.Cli.Commands;

/// <summary>`facekit gallery list|rename|delete --gallery DB ...`.</summary>
public static class GalleryCommand
{
    public static Command Build(ContextHolder holder)
    {
        var command = new Command("gallery", "list, rename or delete enrolled subjects");

        var listGallery = GalleryPathOption.Create();
        var list = new Command("list", "subjects with their template counts") { listGallery };
        list.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            using var db = Open(ctx, parse.GetValue(listGallery)!);
            var subjects = db.ListSubjects();
            if (ctx.Json)
                JsonOutput.Write(ctx.Out, new
                {
                    model = db.ModelId, dim = db.Dimension,
                    subjects = subjects.Select(s => new { name = s.Name, templates = s.TemplateCount, created_utc = s.CreatedUtc, updated_utc = s.UpdatedUtc }).ToList(),
                });
            else
            {
                ctx.Out.WriteLine($"{subjects.Count} subject(s), {db.TemplateCount} template(s), model {db.ModelId ?? "-"}");
                foreach (var s in subjects) ctx.Out.WriteLine($"  {s.Name} ({s.TemplateCount})");
            }
            return ExitCodes.Success;
        });

        var renameGallery = GalleryPathOption.Create();
        var oldName = new Argument<string>("name");
        var newName = new Argument<string>("new-name");
        var rename = new Command("rename", "rename a subject") { renameGallery, oldName, newName };
        rename.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            using var db = Open(ctx, parse.GetValue(renameGallery)!);
            db.Rename(parse.GetValue(oldName)!, parse.GetValue(newName)!);
            Report(ctx, new { renamed = parse.GetValue(oldName), to = parse.GetValue(newName) }, $"renamed {parse.GetValue(oldName)} → {parse.GetValue(newName)}");
            return ExitCodes.Success;
        });

        var deleteGallery = GalleryPathOption.Create();
        var deleteName = new Argument<string?>("name") { Description = "subject to delete (with all its templates)", Arity = ArgumentArity.ZeroOrOne };
        var templateId = new Option<long?>("--template") { Description = "delete one template by id instead of a subject" };
        var delete = new Command("delete", "delete a subject or one template") { deleteGallery, deleteName, templateId };
        delete.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            using var db = Open(ctx, parse.GetValue(deleteGallery)!);
            if (parse.GetValue(templateId) is { } id)
            {
                db.DeleteTemplate(id);
                Report(ctx, new { deleted_template = id }, $"deleted template {id}");
            }
            else if (parse.GetValue(deleteName) is { } name)
            {
                db.DeleteSubject(name);
                Report(ctx, new { deleted = name }, $"deleted {name}");
            }
            else throw Core.Errors.FaceKitException.BadInput("give a subject name or --template ID");
            return ExitCodes.Success;
        });

        command.Subcommands.Add(list);
        command.Subcommands.Add(rename);
        command.Subcommands.Add(delete);
        return command;
    }

    private static IFaceGallery Open(CliContext ctx, string path) => GalleryFactory.Open(path, ctx.GalleryOptions(createIfMissing: false));

    private static void Report(CliContext ctx, object json, string text)
    {
        if (ctx.Json) JsonOutput.Write(ctx.Out, json);
        else ctx.Out.WriteLine(text);
    }
}
