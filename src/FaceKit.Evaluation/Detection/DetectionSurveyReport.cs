namespace FaceKit.Evaluation.Detection;

/// <summary>Totals of a <see cref="DetectionSurvey"/>.</summary>
public sealed record DetectionSurveyReport(
    int Images, int ImagesDetected, int ExpectedFaces, int FacesMissed, int ExtraDetections, int LoadFailures,
    double MedianMilliseconds, double P95Milliseconds, IReadOnlyList<SurveyedImage> Rows)
{
    /// <summary>Share of images in which every expected face (or the centred one) was found.</summary>
    public double DetectionRate => Images == 0 ? 0 : (double)ImagesDetected / Images;

    public static DetectionSurveyReport From(IReadOnlyList<SurveyedImage> rows)
    {
        var times = rows.Where(r => r.Error is null).Select(r => r.Milliseconds).Order().ToArray();
        return new DetectionSurveyReport(
            rows.Count,
            rows.Count(r => r.Detected),
            rows.Sum(r => r.Expected.MustCoverCentre ? 1 : r.Expected.Min),
            rows.Sum(r => r.Missed),
            rows.Sum(r => r.Extra),
            rows.Count(r => r.Error is not null),
            Percentile(times, 0.5),
            Percentile(times, 0.95),
            rows);
    }

    /// <summary>Nearest-rank percentile of sorted values; NaN when there are none.</summary>
    internal static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
