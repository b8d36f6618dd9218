using FaceKit.Gallery;
using FaceKit.Inference;
using FaceKit.Inference.Liveness;
using FaceKit.Testing;
using FaceKit.Video.Processing;
using FaceKit.Video.Sources;

namespace FaceKit.Video.Tests;

/// <summary>
/// The live view's liveness gate: a face that fails the check is tracked but never named. Thresholds at the two
/// extremes (nothing passes / everything passes) test the plumbing without claiming the uncalibrated model tells
/// attacks from live faces (there are no attack photos here).
/// </summary>
public class LivenessGateTests
{
    [RealModelFact]
    public void FaceFailingLiveness_IsTrackedButNeverNamed_AndAGalleryChangeDoesNotNameItEither()
    {
        using var pipeline = FacePipeline.Create(new PipelineOptions { ModelDirectory = TestModels.Directory, Detection = RecognitionOptions.VideoDetection });
        using var dir = new TempDirectory();
        using var gallery = SqliteGallery.Open(dir.File("people.db"));
        var photo = pipeline.Load(SharedData.Path("group-photos", "bbt2.jpg"));
        gallery.Enroll("Sheldon", [pipeline.AnalyzeLargest(photo).Embedding]);

        string?[] Names(float threshold, bool changeGallery)
        {
            using var checker = LivenessChecker.Create(TestModels.Directory, options: new LivenessOptions { Threshold = threshold });
            var processor = new FrameProcessor(pipeline, gallery, new RecognitionOptions { Threshold = 0.33f }, liveness: checker);
            ProcessedFrame last = null!;
            for (int i = 0; i < 3; i++)
            {
                if (changeGallery && i == 1) processor.InvalidateIdentities();
                last = processor.Process(new VideoFrame(photo, i, 0));
            }
            Assert.True(last.Tracks.Count >= 2, $"{last.Tracks.Count} tracks");
            if (threshold >= 1) Assert.True(processor.NotLive >= last.Tracks.Count, $"{processor.NotLive} refused");
            else Assert.Equal(0, processor.NotLive);
            return last.Tracks.Select(t => t.Name).ToArray();
        }

        Assert.Contains("Sheldon", Names(threshold: 0f, changeGallery: false));
        Assert.All(Names(threshold: 1f, changeGallery: false), Assert.Null);
        Assert.All(Names(threshold: 1f, changeGallery: true), Assert.Null);
    }
}
