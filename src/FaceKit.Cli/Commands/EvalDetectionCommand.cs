using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Evaluation.Detection;
using FaceKit.Evaluation.Identification;
using FaceKit.Inference.Imaging;

namespace FaceKit.Cli.Commands;

/// <summary>
/// `facekit eval detection --root DIR [--expect FILE.csv] [--centred] [--at 640x480]`: detection rate, faces missed,
/// extra detections and time per image of the chosen detector (with its landmarks, as the pipeline uses it).
/// </summary>
public static class EvalDetectionCommand
{
    public static Command Build(ContextHolder holder)
    {
        var root = new Option<string>("--root") { Description = "images folder (searched recursively)", Required = true };
        var expect = new Option<string?>("--expect") { Description = "CSV image,min,max of face counts (images not listed: one face)" };
        var centred = new Option<bool>("--centred") { Description = "LFW-style crops: a detection must cover the image centre, where the labelled person is" };
        var at = new Option<string?>("--at") { Description = "letterbox every image to this size first, e.g. 640x480 (a camera frame)" };
        var command = new Command("detection", "detection rate, missed faces, extra detections and ms per image of --detector") { root, expect, centred, at };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var dir = parse.GetValue(root)!;
            if (!Directory.Exists(dir)) throw FaceKitException.BadInput($"folder not found: {dir}");
            var size = parse.GetValue(at) is { } text ? ParseSize(text) : ((int, int)?)null;
            var counts = parse.GetValue(expect) is { } csv ? FaceCountManifest.Read(csv) : new Dictionary<string, FaceCountExpectation>();
            var fallback = parse.GetValue(centred) ? FaceCountExpectation.CentredFace : FaceCountExpectation.OneFace;
            var images = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                .Where(p => IdentityTree.DefaultExtensions.Contains(Path.GetExtension(p).ToLowerInvariant()))
                .Order(StringComparer.Ordinal)
                .Select(p => (p, counts.GetValueOrDefault(Path.GetRelativePath(dir, p).Replace('\\', '/'), fallback)))
                .ToList();
            if (images.Count == 0) throw FaceKitException.BadInput($"no images under {dir}");

            var pipeline = ctx.Pipeline;
            var survey = new DetectionSurvey(
                path => size is var (w, h) ? Letterbox(pipeline.Load(path), w, h) : pipeline.Load(path),
                pipeline.Detect);
            var report = ProgressDisplay.Run(ctx, "images", p => survey.Run(images, p));

            var json = ToJson(report, pipeline.Detector.ModelId, dir, size);
            if (ctx.Parse.GetValue(EvalCommand.Out) is { } outDir)
            {
                Directory.CreateDirectory(outDir);
                File.WriteAllText(Path.Combine(outDir, "detection.json"), json);
            }
            if (ctx.Json) ctx.Out.WriteLine(json);
            else
            {
                ctx.Out.WriteLine($"{pipeline.Detector.ModelId} on {report.Images} images{(size is var (w, h) ? $" at {w}x{h}" : "")}: " +
                                  $"detected {report.ImagesDetected}/{report.Images} ({report.DetectionRate:P1}), {report.FacesMissed} of {report.ExpectedFaces} expected face(s) missed, " +
                                  $"{report.ExtraDetections} extra detection(s), median {report.MedianMilliseconds:F1} ms, p95 {report.P95Milliseconds:F1} ms");
                foreach (var r in report.Rows.Where(r => r.Missed > 0 || r.Extra > 0 || r.Error is not null))
                    ctx.Out.WriteLine($"  {Path.GetRelativePath(dir, r.Path)}: found {r.Found}, expected {r.Expected.Min}..{r.Expected.Max}" +
                                      (r.Error is null ? "" : $" ({r.Error})"));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Scales the image to fit inside width×height and pads the rest black, as a camera frame would frame it.</summary>
    internal static ImageBuffer Letterbox(ImageBuffer image, int width, int height)
    {
        double scale = Math.Min((double)width / image.Width, (double)height / image.Height);
        int w = Math.Clamp((int)Math.Round(image.Width * scale), 1, width), h = Math.Clamp((int)Math.Round(image.Height * scale), 1, height);
        var resized = MatConversion.Resize(image, w, h);
        int left = (width - w) / 2, top = (height - h) / 2;
        return MatConversion.Pad(resized, left, top, width - w - left, height - h - top, 0);
    }

    private static (int, int) ParseSize(string text)
    {
        var parts = text.Split('x', 'X');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h) && w is >= 16 and <= 8192 && h is >= 16 and <= 8192)
            return (w, h);
        throw FaceKitException.BadInput($"--at must be WIDTHxHEIGHT between 16 and 8192, got '{text}'");
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static string ToJson(DetectionSurveyReport r, string detector, string root, (int, int)? size) => JsonSerializer.Serialize(new
    {
        detector,
        root,
        at = size is var (w, h) ? $"{w}x{h}" : null,
        images = r.Images,
        images_detected = r.ImagesDetected,
        detection_rate = r.DetectionRate,
        expected_faces = r.ExpectedFaces,
        faces_missed = r.FacesMissed,
        extra_detections = r.ExtraDetections,
        load_failures = r.LoadFailures,
        median_ms = Finite(r.MedianMilliseconds),
        p95_ms = Finite(r.P95Milliseconds),
        misses_and_extras = r.Rows.Where(x => x.Missed > 0 || x.Extra > 0 || x.Error is not null).Select(x => new
        {
            image = Path.GetRelativePath(root, x.Path), found = x.Found, min = x.Expected.Min, max = x.Expected.Max, error = x.Error,
        }),
    });
}
