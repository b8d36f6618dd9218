using System.CommandLine;
using FaceKit.Cli.Output;
using FaceKit.Gallery;

namespace FaceKit.Cli.Commands;

/// <summary>`facekit identify --gallery DB IMAGE`: every face of the image against the gallery, top-k subjects each.</summary>
public static class IdentifyCommand
{
    public static Command Build(ContextHolder holder)
    {
        var gallery = GalleryPathOption.Create();
        var image = new Argument<string>("image");
        var top = new Option<int>("--top") { Description = "candidates per face", DefaultValueFactory = _ => 5 };
        var threshold = new Option<float?>("--threshold") { Description = "a candidate is a match when similarity ≥ this (default: gallery's calibrated value, else the embedder's)" };
        var command = new Command("identify", "1:N — who is in this image? exit 0 when some face matched, 1 when none did") { gallery, image, top, threshold };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var path = parse.GetValue(image)!;
            int k = parse.GetValue(top);
            if (k < 1) throw Core.Errors.FaceKitException.BadInput("--top must be at least 1");
            using var db = GalleryFactory.Open(parse.GetValue(gallery)!, ctx.GalleryOptions(createIfMissing: false), ctx.Logger("FaceKit.Gallery"));
            float t = parse.GetValue(threshold) ?? GalleryThreshold(db) ?? ctx.DefaultThreshold;
            var img = ctx.Pipeline.Load(path);
            var faces = ctx.Pipeline.Analyze(img);
            if (faces.Count == 0) throw Core.Errors.FaceKitException.NoFace($"{Path.GetFileName(path)}: no face found");
            var results = faces.Select(f =>
            {
                var matches = db.Identify(f.Embedding, k);
                return new
                {
                    box = FaceJson.From(f.Face).Box, score = MathF.Round(f.Face.Score, 4), landmarks = FaceJson.From(f.Face).Landmarks,
                    identity = matches.Count > 0 && matches[0].Similarity >= t ? matches[0].Name : null,
                    matches = matches.Select(m => new { name = m.Name, similarity = MathF.Round(m.Similarity, 5) }).ToList(),
                };
            }).ToList();
            if (ctx.Json) JsonOutput.Write(ctx.Out, new { image = path, threshold = t, faces = results });
            else
                foreach (var r in results)
                    ctx.Out.WriteLine($"face [{string.Join(",", r.box.Select(v => v.ToString("F0")))}]: {r.identity ?? "unknown"}" +
                                      (r.matches.Count > 0 ? $" (best {r.matches[0].name} {r.matches[0].similarity:F3})" : ""));
            return results.Any(r => r.identity is not null) ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }

    /// <summary>A threshold calibrated for this gallery (`facekit calibrate --write`) wins over the model default.</summary>
    public static float? GalleryThreshold(IFaceGallery db) =>
        float.TryParse(db.GetSetting("threshold"), System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : null;
}
