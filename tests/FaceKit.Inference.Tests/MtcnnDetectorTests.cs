using FaceKit.Core.Geometry;
using FaceKit.Inference.Detection;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Tests.Tflite;
using FaceKit.Testing;

namespace FaceKit.Inference.Tests;

/// <summary>One MTCNN detector (three sessions) shared by the test class.</summary>
public sealed class MtcnnFixture : IDisposable
{
    private readonly Lazy<MtcnnDetector> _detector = new(() => ExpoModels.Mtcnn());
    public MtcnnDetector Detector => _detector.Value;
    public ImageLoader Loader { get; } = new(new ImageLoadOptions());

    public void Dispose()
    {
        if (_detector.IsValueCreated) _detector.Value.Dispose();
    }
}

public class MtcnnDetectorTests(MtcnnFixture fixture) : IClassFixture<MtcnnFixture>
{
    [ExpoModelTheory]
    [MemberData(nameof(DetectionTests.UnitImages), MemberType = typeof(DetectionTests))]
    public void OnEveryUnitImage_TheBestFaceIsTheCentredPerson_WithItsLandmarksInside(string relative)
    {
        var image = fixture.Loader.Load(SharedData.Path("unit", "images", relative));
        var faces = fixture.Detector.DetectWithLandmarks(image);

        Assert.NotEmpty(faces);
        var centre = new PointF(image.Width / 2f, image.Height / 2f);
        var face = faces.OrderByDescending(f => f.Box.Area).First();
        Assert.True(face.Box.Contains(centre), $"largest face {face.Box} misses the centre");
        Assert.True(face.Score >= 0.7f);
        foreach (var p in face.Landmarks.ToArray()) Assert.True(face.Box.Contains(p), $"landmark {p} outside {face.Box}");
        var lm = face.Landmarks;
        Assert.True(lm.LeftEye.X < lm.RightEye.X && lm.MouthLeft.X < lm.MouthRight.X, "left/right order");
        Assert.True(lm.LeftEye.Y < lm.Nose.Y && lm.Nose.Y < lm.MouthLeft.Y, "eyes above the nose above the mouth");
    }

    [ExpoModelTheory]
    [InlineData("bbt1.jpg", 4)]
    [InlineData("bbt2.jpg", 2)]
    [InlineData("bbt3.jpg", 5)]
    [InlineData("bbt4.jpg", 6)]
    [InlineData("bbt5.jpg", 5)]
    public void GroupPhotos_FindAtLeastTheFacesCountedByEye(string file, int counted)
    {
        var faces = fixture.Detector.DetectWithLandmarks(fixture.Loader.Load(SharedData.Path("group-photos", file)));
        Assert.InRange(faces.Count, counted, counted + 1);
    }

    [ExpoModelFact]
    public void AFlatGreyImage_HasNoFace()
    {
        var grey = Core.Imaging.ImageBuffer.Create(640, 480, Core.Imaging.PixelFormat.Bgr24);
        grey.Pixels.Fill(128);
        Assert.Empty(fixture.Detector.Detect(grey));
    }

    [ExpoModelFact]
    public void MinFaceFractionOfWidth_LikeTheKotlinApp_SkipsSmallFaces()
    {
        var image = fixture.Loader.Load(SharedData.Path("group-photos", "bbt4.jpg"));
        using var selfie = ExpoModels.Mtcnn(new MtcnnOptions { MinFaceFractionOfWidth = 0.5f });
        Assert.True(selfie.Detect(image).Count < fixture.Detector.Detect(image).Count);
    }
}
