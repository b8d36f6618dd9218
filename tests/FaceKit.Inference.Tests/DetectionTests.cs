using FaceKit.Core.Geometry;
using FaceKit.Testing;

namespace FaceKit.Inference.Tests;

public class DetectionTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private FacePipeline Pipeline => fixture.Pipeline;

    public static TheoryData<string> UnitImages()
    {
        var data = new TheoryData<string>();
        if (!SharedData.Available) { data.Add("unavailable"); return data; }
        foreach (var f in Directory.GetFiles(SharedData.Path("unit", "images"), "*.jpg", SearchOption.AllDirectories).Order())
            data.Add(Path.GetRelativePath(SharedData.Path("unit", "images"), f));
        return data;
    }

    [RealModelTheory]
    [MemberData(nameof(UnitImages))]
    public void LargestFace_OnEveryLfwImage_IsTheCentredPerson(string relative)
    {
        var image = Pipeline.Load(SharedData.Path("unit", "images", relative));
        var faces = Pipeline.Detect(image);

        Assert.NotEmpty(faces);
        Assert.True(faces[0].Box.Contains(new PointF(image.Width / 2f, image.Height / 2f)), $"largest face {faces[0].Box} misses the centre");
        Assert.True(faces[0].Score > 0.9f);
    }

    [RealModelTheory]
    [InlineData("bbt1.jpg", 4)]
    [InlineData("bbt2.jpg", 2)]
    [InlineData("bbt3.jpg", 5)]
    [InlineData("bbt4.jpg", 6)]
    [InlineData("bbt5.jpg", 5)]
    public void GroupPhotos_FindAtLeastTheFacesCountedByEye(string file, int counted)
    {
        var faces = Pipeline.Detect(Pipeline.Load(SharedData.Path("group-photos", file)));
        Assert.InRange(faces.Count, counted, counted + 1);
    }

    [RealModelFact]
    public void Landmarks_LieInsideTheirBox_InAnatomicalOrder()
    {
        foreach (var file in Directory.GetFiles(SharedData.Path("group-photos"), "bbt*.jpg"))
        foreach (var face in Pipeline.Detect(Pipeline.Load(file)))
        {
            var box = face.Box;
            var grown = new BoxF(box.X1 - 0.1f * box.Width, box.Y1 - 0.1f * box.Height, box.X2 + 0.1f * box.Width, box.Y2 + 0.1f * box.Height);
            foreach (var p in face.Landmarks.ToArray()) Assert.True(grown.Contains(p), $"{Path.GetFileName(file)}: {p} outside {box}");
            var lm = face.Landmarks;
            Assert.True(lm.LeftEye.X < lm.RightEye.X, "left eye must be left of the right eye");
            Assert.True(lm.MouthLeft.X < lm.MouthRight.X, "mouth corners in order");
            Assert.True(lm.Nose.Y > Math.Min(lm.LeftEye.Y, lm.RightEye.Y), "nose below the eyes");
            Assert.True(Math.Min(lm.MouthLeft.Y, lm.MouthRight.Y) > lm.Nose.Y - 0.05f * box.Height, "mouth below the nose");
        }
    }

    [RealModelFact]
    public void EveryOrlAndYaleCrop_YieldsAFace_ZeroFailuresToAcquire()
    {
        var files = Directory.GetFiles(SharedData.Path("orl"), "*.pgm", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(SharedData.Path("yaleb-dev"), "*.pgm", SearchOption.AllDirectories)).ToList();
        Assert.True(files.Count > 900, $"expected the ORL and Yale B sets, found {files.Count} files");
        var failures = files.AsParallel().Where(f => Pipeline.Detect(Pipeline.Load(f)).Count == 0).ToList();
        Assert.Empty(failures);
    }

    [RealModelFact]
    public void LargePhotos_IncludingWebPAndExifRotated_AllHaveAFace()
    {
        var files = Directory.GetFiles(SharedData.Path("photos", "images"), "*.*", SearchOption.AllDirectories);
        foreach (var f in files)
        {
            var image = Pipeline.Load(f);
            var faces = Pipeline.Detect(image);
            Assert.True(faces.Count > 0, $"{f}: no face");
            // Upright faces: eyes above the mouth. A photo whose EXIF rotation were ignored would show a sideways face.
            var lm = faces[0].Landmarks;
            Assert.True((lm.LeftEye.Y + lm.RightEye.Y) / 2 < (lm.MouthLeft.Y + lm.MouthRight.Y) / 2, $"{f}: face not upright");
        }
    }
}
