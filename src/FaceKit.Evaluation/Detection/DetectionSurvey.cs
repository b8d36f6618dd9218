using System.Diagnostics;
using FaceKit.Core.Errors;
using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Evaluation.Extraction;

namespace FaceKit.Evaluation.Detection;

/// <summary>One image of a survey: what was expected, what was found, how long detection took.</summary>
public sealed record SurveyedImage(string Path, int Width, int Height, FaceCountExpectation Expected, int Found,
    bool Detected, int Missed, int Extra, double Milliseconds, string? Error);

/// <summary>
/// Runs a detector over a set of images with known face counts: the detection rate (images where every expected
/// face, or the centred one, was found), faces missed, detections beyond the faces really there (false positives
/// when the count is exact) and the time per image. Images that fail to load count as misses and are listed.
/// </summary>
public sealed class DetectionSurvey
{
    private readonly Func<string, ImageBuffer> _load;
    private readonly Func<ImageBuffer, IReadOnlyList<DetectedFace>> _detect;

    /// <param name="load">reads (and, for a fixed-resolution survey, resizes) an image</param>
    /// <param name="detect">the detector under test, returning faces with landmarks as the pipeline uses them</param>
    public DetectionSurvey(Func<string, ImageBuffer> load, Func<ImageBuffer, IReadOnlyList<DetectedFace>> detect)
    {
        _load = load;
        _detect = detect;
    }

    public DetectionSurveyReport Run(IReadOnlyList<(string Path, FaceCountExpectation Expected)> images, IProgress<EvaluationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var rows = new List<SurveyedImage>(images.Count);
        bool warmedUp = false;
        long started = Stopwatch.GetTimestamp();
        foreach (var (path, expected) in images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows.Add(Survey(path, expected, ref warmedUp));
            progress?.Report(new EvaluationProgress(rows.Count, images.Count, 0, Stopwatch.GetElapsedTime(started)));
        }
        return DetectionSurveyReport.From(rows);
    }

    private SurveyedImage Survey(string path, FaceCountExpectation expected, ref bool warmedUp)
    {
        ImageBuffer image;
        try { image = _load(path); }
        catch (FaceKitException e) { return new SurveyedImage(path, 0, 0, expected, 0, false, expected.Min, 0, double.NaN, e.Message); }

        if (!warmedUp)
        {
            // The first call pays for session initialisation and memory arenas; it is not a detection time.
            _detect(image);
            warmedUp = true;
        }
        long start = Stopwatch.GetTimestamp();
        var faces = _detect(image);
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        int missed = Math.Max(0, expected.Min - faces.Count);
        bool detected = faces.Count >= expected.Min;
        if (expected.MustCoverCentre)
        {
            var centre = new PointF(image.Width / 2f, image.Height / 2f);
            bool covered = faces.Any(f => f.Box.Contains(centre));
            detected = covered;
            missed = covered ? 0 : 1;
        }
        int extra = Math.Max(0, faces.Count - expected.Max);
        return new SurveyedImage(path, image.Width, image.Height, expected, faces.Count, detected, missed, extra, ms, null);
    }
}
