using FaceKit.Core.Errors;
using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Evaluation.Detection;
using FaceKit.Testing;

namespace FaceKit.Evaluation.Tests.Detection;

public sealed class DetectionSurveyTests
{
    private static DetectedFace Face(float x1, float y1, float x2, float y2) =>
        new(new BoxF(x1, y1, x2, y2), 0.9f, new Landmarks5(default, default, default, default, default));

    [Fact]
    public void Survey_CountsDetectedMissedAndExtraFaces_AgainstEachImagesExpectation()
    {
        // The scripted detector answers by the image path the loader last saw (the warm-up call repeats the first).
        var script = new Dictionary<string, DetectedFace[]>
        {
            ["four-of-four"] = [Face(0, 0, 10, 10), Face(20, 0, 30, 10), Face(40, 0, 50, 10), Face(60, 0, 70, 10)],
            ["three-of-four"] = [Face(0, 0, 10, 10), Face(20, 0, 30, 10), Face(40, 0, 50, 10)],
            ["one-plus-two-false"] = [Face(0, 0, 10, 10), Face(20, 0, 30, 10), Face(40, 0, 50, 10)],
            ["blurred-optional"] = [Face(0, 0, 10, 10), Face(20, 0, 30, 10), Face(40, 0, 50, 10)],
        };
        string? current = null;
        var survey = new DetectionSurvey(path => { current = path; return ImageBuffer.Create(100, 80, PixelFormat.Bgr24); }, _ => script[current!]);

        var report = survey.Run([
            ("four-of-four", new FaceCountExpectation(4, 4)),
            ("three-of-four", new FaceCountExpectation(4, 4)),
            ("one-plus-two-false", FaceCountExpectation.OneFace),
            ("blurred-optional", new FaceCountExpectation(2, 3)),
        ]);

        Assert.Equal(4, report.Images);
        Assert.Equal(3, report.ImagesDetected); // three-of-four misses one
        Assert.Equal(0.75, report.DetectionRate);
        Assert.Equal(4 + 4 + 1 + 2, report.ExpectedFaces);
        Assert.Equal(1, report.FacesMissed);
        Assert.Equal(2, report.ExtraDetections); // the optional blurred third face is not extra
        Assert.Equal([false, true, false, false], report.Rows.Select(r => r.Missed > 0).ToArray());
        Assert.All(report.Rows, r => Assert.True(r.Milliseconds >= 0));
    }

    [Fact]
    public void CentredExpectation_NeedsABoxOverTheImageCentre_NotJustAnyFace()
    {
        var faces = new Queue<DetectedFace[]>([
            [Face(0, 0, 20, 20)], [Face(0, 0, 20, 20)], // warm-up call, then the timed call: a corner face only
            [Face(40, 30, 60, 50), Face(0, 0, 20, 20)], // the centre (50,40) is covered; the other face is extra
        ]);
        var survey = new DetectionSurvey(_ => ImageBuffer.Create(100, 80, PixelFormat.Bgr24), _ => faces.Dequeue());

        var report = survey.Run([("corner", FaceCountExpectation.CentredFace), ("centre", FaceCountExpectation.CentredFace)]);

        Assert.False(report.Rows[0].Detected);
        Assert.Equal(1, report.Rows[0].Missed);
        Assert.True(report.Rows[1].Detected);
        Assert.Equal(1, report.Rows[1].Extra);
        Assert.Equal(0.5, report.DetectionRate);
    }

    [Fact]
    public void ImageThatFailsToLoad_CountsAsMissedAndIsListedWithItsError()
    {
        var survey = new DetectionSurvey(p => throw FaceKitException.BadInput($"truncated JPEG: {p}"), _ => []);

        var report = survey.Run([("broken.jpg", new FaceCountExpectation(2, 2))]);

        Assert.Equal(1, report.LoadFailures);
        Assert.Equal(2, report.FacesMissed);
        Assert.Contains("truncated", report.Rows[0].Error);
        Assert.True(double.IsNaN(report.MedianMilliseconds));
    }

    [Fact]
    public void FaceCountManifest_ReadsCounts_AndRejectsAMaxBelowTheMin()
    {
        using var dir = new TempDirectory();
        var good = Path.Combine(dir.Path, "good.csv");
        File.WriteAllText(good, "image,min,max\n# a comment\nbbt2.jpg,2,3\nsub\\a.jpg,1,1\n");
        var bad = Path.Combine(dir.Path, "bad.csv");
        File.WriteAllText(bad, "image,min,max\nx.jpg,3,2\n");

        var counts = FaceCountManifest.Read(good);

        Assert.Equal(new FaceCountExpectation(2, 3), counts["bbt2.jpg"]);
        Assert.Equal(new FaceCountExpectation(1, 1), counts["sub/a.jpg"]);
        var e = Assert.Throws<FaceKitException>(() => FaceCountManifest.Read(bad));
        Assert.Equal(ErrorCode.BadInput, e.Code);
        Assert.Contains("line 2", e.Message);
    }
}
