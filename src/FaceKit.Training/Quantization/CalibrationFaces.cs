using FaceKit.Core.Alignment;
using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Inference;
using FaceKit.Inference.Imaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceKit.Training.Quantization;

/// <summary>The aligned faces calibration runs on, and the files they came from.</summary>
public sealed record CalibrationFaces(IReadOnlyList<ImageBuffer> Faces, IReadOnlyList<string> Files, int Skipped, int AlreadyAligned)
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".pgm", ".ppm", ".tif", ".tiff"];

    /// <summary>
    /// Up to <paramref name="samples"/> faces from the images under <paramref name="folder"/> (any depth). An image of
    /// exactly <paramref name="size"/>×<paramref name="size"/> is taken as an aligned crop as it is; any other is
    /// detected and its largest face aligned onto the ArcFace template through the core pipeline, which
    /// <paramref name="pipeline"/> builds only when the first such photo turns up. Files are drawn in a fixed
    /// shuffled order so a folder per identity contributes many identities, not the first few; a photo without a
    /// face is skipped and the next one drawn.
    /// </summary>
    public static CalibrationFaces Load(string folder, int samples, int size, ImageLoader loader, Func<FacePipeline> pipeline,
        ILogger? logger = null, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        logger ??= NullLogger.Instance;
        if (samples < 1) throw FaceKitException.BadInput("--samples must be at least 1");
        if (!Directory.Exists(folder)) throw FaceKitException.BadInput($"{folder}: no such folder");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw FaceKitException.BadInput($"{folder}: no images (jpg, png, bmp, webp, pgm, ppm, tif)");
        new Random(0).Shuffle(files);

        FacePipeline? detector = null;
        var faces = new List<ImageBuffer>();
        var used = new List<string>();
        int skipped = 0, aligned = 0;
        foreach (var file in files)
        {
            if (faces.Count >= samples) break;
            cancel.ThrowIfCancellationRequested();
            ImageBuffer image;
            try
            {
                image = loader.Load(file);
            }
            catch (FaceKitException e) when (e.IsUserError)
            {
                logger.LogWarning("calibration: skipping {File}: {Message}", file, e.Message);
                skipped++;
                continue;
            }
            if (image.Width == size && image.Height == size)
            {
                faces.Add(image);
                aligned++;
            }
            else
            {
                detector ??= pipeline();
                var found = detector.Detect(image);
                if (found.Count == 0)
                {
                    logger.LogInformation("calibration: no face in {File}", file);
                    skipped++;
                    continue;
                }
                faces.Add(FaceAligner.Align(image, found[0].Landmarks, size));
            }
            used.Add(file);
            progress?.Report((faces.Count, Math.Min(samples, files.Length)));
        }
        if (faces.Count == 0) throw FaceKitException.BadInput($"{folder}: no face found in {files.Length} image(s)");
        return new CalibrationFaces(faces, used, skipped, aligned);
    }
}
