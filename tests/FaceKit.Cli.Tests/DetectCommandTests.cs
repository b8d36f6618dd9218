using System.Text.Json;
using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

/// <summary>One `facekit detect --json` run over the five group photos, shared by the per-photo theories.</summary>
public sealed class GroupPhotoDetections
{
    public static readonly string[] Photos = ["bbt1.jpg", "bbt2.jpg", "bbt3.jpg", "bbt4.jpg", "bbt5.jpg"];

    private readonly Lazy<Dictionary<string, FaceBox[]>> _faces = new(Detect);

    public FaceBox[] FacesIn(string photo) => _faces.Value[photo];

    private static Dictionary<string, FaceBox[]> Detect()
    {
        var run = Facekit.Run(["detect", "--json", .. Photos.Select(p => SharedData.Path("group-photos", p))]);
        CliAssert.Succeeded(run);
        // Several images print {"images":[{image, width, height, faces}, …]} in the order given.
        var images = run.Json.GetProperty("images").EnumerateArray().ToArray();
        Assert.Equal(Photos.Length, images.Length);
        return Photos.Zip(images).ToDictionary(
            x => x.First,
            x => x.Second.GetProperty("faces").EnumerateArray().Select(f => FaceBox.From(f.GetProperty("box"))).ToArray());
    }
}

public sealed class DetectCommandTests(GroupPhotoDetections groupPhotos) : IClassFixture<GroupPhotoDetections>
{
    [RealModelFact]
    public void Detect_Json_PrintsEachFaceWithBoxScoreAndFiveLandmarks()
    {
        var photo = UnitFaces.Photo("Aaron_Peirsol", 1);

        var run = Facekit.Run("detect", "--json", photo);

        CliAssert.Succeeded(run);
        var json = run.Json;
        Assert.Equal(250, json.GetProperty("width").GetInt32());
        Assert.Equal(250, json.GetProperty("height").GetInt32());
        var faces = json.GetProperty("faces").EnumerateArray().ToArray();
        Assert.NotEmpty(faces);
        foreach (var face in faces)
        {
            var box = FaceBox.From(face.GetProperty("box"));
            Assert.True(box.X1 < box.X2 && box.Y1 < box.Y2, $"box {box} is not x1<x2, y1<y2");
            Assert.True(box.X1 >= 0 && box.Y1 >= 0 && box.X2 <= 250 && box.Y2 <= 250, $"box {box} leaves the 250×250 image");

            double score = face.GetProperty("score").GetDouble();
            Assert.InRange(score, 0.0, 1.0);

            var landmarks = face.GetProperty("landmarks").EnumerateArray().ToArray();
            Assert.Equal(5, landmarks.Length);
            foreach (var point in landmarks)
            {
                var xy = point.EnumerateArray().Select(v => v.GetDouble()).ToArray();
                Assert.Equal(2, xy.Length);
                Assert.True(box.Contains(xy[0], xy[1]), $"landmark ({xy[0]},{xy[1]}) lies outside its face box {box}");
            }
        }
    }

    [RealModelFact]
    public void Detect_LfwPortraits_LargestFaceContainsTheImageCentre()
    {
        // LFW centres the labelled person; 5 of the 30 photos also show someone else, who must not be the largest.
        var photos = UnitFaces.AllPhotos.ToArray();

        var run = Facekit.Run(["detect", "--json", .. photos]);

        CliAssert.Succeeded(run);
        var images = run.Json.GetProperty("images").EnumerateArray().ToArray();
        Assert.Equal(photos.Length, images.Length);
        var misses = new List<string>();
        foreach (var image in images)
        {
            var faces = image.GetProperty("faces").EnumerateArray().Select(f => FaceBox.From(f.GetProperty("box"))).ToArray();
            double cx = image.GetProperty("width").GetDouble() / 2, cy = image.GetProperty("height").GetDouble() / 2;
            var largest = faces.Length == 0 ? (FaceBox?)null : faces.MaxBy(b => b.Area);
            if (largest is not { } l || !l.Contains(cx, cy))
                misses.Add($"{Path.GetFileName(image.GetProperty("image").GetString())}: largest {largest?.ToString() ?? "none"}");
        }
        Assert.True(misses.Count == 0, "largest face does not contain the centre in: " + string.Join("; ", misses));
    }

    [RealModelTheory]
    [InlineData("bbt1.jpg", 4)]
    [InlineData("bbt2.jpg", 2)]
    [InlineData("bbt3.jpg", 5)]
    [InlineData("bbt4.jpg", 6)]
    [InlineData("bbt5.jpg", 5)]
    public void Detect_GroupPhoto_FindsEveryone(string photo, int people)
    {
        var faces = groupPhotos.FacesIn(photo);

        Assert.True(faces.Length >= people, $"{photo}: {faces.Length} faces found, {people} people in it: {string.Join(" ", faces)}");
    }

    [RealModelTheory]
    [InlineData("bbt1.jpg")]
    [InlineData("bbt2.jpg")]
    [InlineData("bbt3.jpg")]
    [InlineData("bbt4.jpg")]
    [InlineData("bbt5.jpg")]
    public void Detect_GroupPhoto_ReportsEachFaceOnce(string photo)
    {
        // A second box lying almost wholly inside another is the same face found twice (e.g. once whole and
        // once as its lower half), which would enrol or identify one person as two.
        var faces = groupPhotos.FacesIn(photo);

        var nested = from a in faces
                     from b in faces
                     where a != b && a.Area >= b.Area && a.IntersectionArea(b) > 0.8 * b.Area
                     select $"{b} inside {a}";
        Assert.True(!nested.Any(), $"{photo}: one face reported twice: {string.Join("; ", nested)}");
    }

    [RealModelFact]
    public void Detect_FaceSavedAsPng_IsFoundLikeTheJpeg()
    {
        // The loader promises PNG as well as JPEG: the same portrait re-encoded losslessly must give the same face.
        using var temp = new TempDirectory();
        var jpeg = UnitFaces.Photo("Aaron_Peirsol", 1);
        var pixels = new FaceKit.Inference.Imaging.ImageLoader().Load(jpeg).ToBgr();
        var rgb = new byte[pixels.Width * pixels.Height * 3];
        for (int y = 0; y < pixels.Height; y++)
        {
            var row = pixels.Row(y);
            for (int x = 0; x < pixels.Width; x++)
            {
                rgb[(y * pixels.Width + x) * 3] = row[3 * x + 2];
                rgb[(y * pixels.Width + x) * 3 + 1] = row[3 * x + 1];
                rgb[(y * pixels.Width + x) * 3 + 2] = row[3 * x];
            }
        }
        var png = temp.File("Aaron_Peirsol_0001.png");
        File.WriteAllBytes(png, CraftedImages.Png(pixels.Width, pixels.Height, 3, rgb));

        var run = Facekit.Run("detect", "--json", jpeg, png);

        CliAssert.Succeeded(run);
        var images = run.Json.GetProperty("images");
        var a = FaceBox.From(images[0].GetProperty("faces")[0].GetProperty("box"));
        var b = FaceBox.From(images[1].GetProperty("faces")[0].GetProperty("box"));
        Assert.True(a.IntersectionArea(b) > 0.9 * Math.Max(a.Area, b.Area), $"JPEG face {a}, PNG face {b}");
    }
}
