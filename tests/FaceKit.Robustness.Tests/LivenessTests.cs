using FaceKit.Core.Errors;
using FaceKit.Core.Geometry;
using FaceKit.Inference;
using FaceKit.Inference.Liveness;
using FaceKit.Testing;
using Xunit.Abstractions;

namespace FaceKit.Robustness.Tests;

/// <summary>
/// The liveness plumbing on real photographs. There is no presentation-attack data here (no printed,
/// replayed or masked faces), so these tests cannot say how well attacks are caught: they check the
/// crop, the score range and determinism, and report what the model says about genuine photos (which
/// are themselves re-captured images, often scanned or downsampled; LFW especially).
/// </summary>
public sealed class LivenessTests(ITestOutputHelper output)
{
    [Fact]
    public void CropBox_FollowsTheReference_ScaledAboutTheCentre_AndShiftedInside()
    {
        // A 100×100 face in the middle of a 1000×1000 image: 270×270 about the centre.
        Assert.Equal(new BoxF(315, 315, 585, 585), LivenessChecker.CropBox(1000, 1000, new BoxF(400, 400, 500, 500), 2.7f));
        // Near the left/top edge: shifted right/down, same size.
        Assert.Equal(new BoxF(0, 0, 270, 270), LivenessChecker.CropBox(1000, 1000, new BoxF(10, 10, 110, 110), 2.7f));
        // In a small image the scale shrinks so the crop fits: (250-1)/100 = 2.49.
        var small = LivenessChecker.CropBox(250, 250, new BoxF(75, 75, 175, 175), 2.7f)!.Value;
        Assert.InRange(small.X2 - small.X1, 240, 249);
        Assert.True(small.X1 >= 0 && small.X2 <= 250 && small.Y1 >= 0 && small.Y2 <= 250);
        // Boxes outside the image or without area.
        Assert.Null(LivenessChecker.CropBox(100, 100, new BoxF(200, 200, 300, 300), 2.7f));
        Assert.Null(LivenessChecker.CropBox(100, 100, new BoxF(10, 10, 10.5f, 40), 2.7f));
    }

    [RealModelFact]
    public void RealPhotos_GiveProbabilitiesInRange_Deterministically_AndMostlyLive()
    {
        using var pipeline = FacePipeline.Create(new PipelineOptions { ModelDirectory = TestModels.Directory });
        using var liveness = LivenessChecker.Create(TestModels.Directory);
        var files = Directory.GetFiles(SharedData.Path("photos", "images"), "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(8)
            .Concat(Directory.GetFiles(SharedData.Path("unit", "images"), "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(14))
            .ToList();
        var scores = new List<(string File, float Score)>();
        foreach (var file in files)
        {
            var image = pipeline.Load(file);
            var faces = pipeline.Detect(image);
            if (faces.Count == 0) continue;
            var result = liveness.Check(image, faces[0].Box);
            Assert.Equal(3, result.ClassProbabilities.Length);
            Assert.All(result.ClassProbabilities, p => Assert.InRange(p, 0f, 1f));
            Assert.InRange(result.ClassProbabilities.Sum(), 0.999f, 1.001f);
            Assert.Equal(result.ClassProbabilities[0], result.Score);
            Assert.True(result.Crop.X1 >= 0 && result.Crop.Y1 >= 0 && result.Crop.X2 <= image.Width && result.Crop.Y2 <= image.Height);
            Assert.Equal(result.Score, liveness.Check(image, faces[0].Box).Score); // same input, same answer
            scores.Add((Path.GetRelativePath(SharedData.Path(), file), result.Score));
            output.WriteLine($"{result.Score:0.000} [{string.Join(", ", result.ClassProbabilities.Select(p => p.ToString("0.000")))}] {scores[^1].File}");
        }
        Assert.True(scores.Count >= 18, $"faces found in only {scores.Count} photos");
        var sorted = scores.Select(s => s.Score).Order().ToList();
        int live = scores.Count(s => s.Score >= liveness.Threshold);
        output.WriteLine($"{scores.Count} genuine photos: median live score {sorted[sorted.Count / 2]:0.000}, min {sorted[0]:0.000}, " +
                         $"{live}/{scores.Count} called live at {liveness.Threshold}. No attack photos exist here: attack detection is untested.");
        Assert.True(live * 2 > scores.Count, "most genuine photos should be called live; is the class order wrong?");
    }

    [RealModelFact]
    public void FaceBoxOutsideTheImage_IsBadInput()
    {
        using var liveness = LivenessChecker.Create(TestModels.Directory);
        var image = Core.Imaging.ImageBuffer.Create(64, 64, Core.Imaging.PixelFormat.Bgr24);

        var error = Assert.Throws<FaceKitException>(() => liveness.Check(image, new BoxF(100, 100, 150, 150)));

        Assert.Equal(ErrorCode.BadInput, error.Code);
    }
}
