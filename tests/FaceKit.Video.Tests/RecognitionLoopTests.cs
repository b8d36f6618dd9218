using FaceKit.Gallery;
using FaceKit.Inference;
using FaceKit.Testing;
using FaceKit.Video.Processing;
using FaceKit.Video.Sources;

namespace FaceKit.Video.Tests;

public class RecognitionLoopTests
{
    [RealModelFact]
    public async Task RealVideo_TracksTheGroupFacesWithStableIds_NamesTheEnrolledOne_AndEmbedsOnlyNewTracks()
    {
        using var pipeline = FacePipeline.Create(new PipelineOptions { ModelDirectory = TestModels.Directory, Detection = RecognitionOptions.VideoDetection });
        using var dir = new TempDirectory();
        using var gallery = SqliteGallery.Open(dir.File("people.db"));
        gallery.Enroll("Sheldon", [pipeline.AnalyzeLargest(pipeline.Load(SharedData.Path("group-photos", "bbt2.jpg"))).Embedding]);

        // Played at its own pace (10 s) as a camera would deliver it, at 10 fps so two shared cores keep up.
        var options = new FrameSourceOptions { Realtime = true, Loop = false, Fps = 10 };
        using var source = new FrameSource(SourceSpec.Parse(FrameSourceTests.BbtVideo), options);
        using var loop = new RecognitionLoop(source, new FrameProcessor(pipeline, gallery, new RecognitionOptions { Threshold = 0.33f }));
        loop.Start();
        var results = new List<ProcessedFrame>();
        long last = -1;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                var r = await loop.NextAsync(last, wait.Token);
                results.Add(r);
                last = r.Sequence;
            }
            catch (OperationCanceledException) when (source.Finished) { break; }
            catch (OperationCanceledException) { }
        }
        Assert.Equal(SourceState.Ended, source.Status.State);
        var stats = loop.Statistics;
        // A reader slower than the loop skips results (latest wins), so it may see fewer than were processed.
        Assert.InRange(results.Count, 30, stats.FramesProcessed);

        // The five slides hold 4, 2, 5, 6 and 5 faces; still photos must not churn track ids.
        Assert.InRange(results.Max(r => r.Faces), 5, 7);
        Assert.True(results.Count(r => r.Faces >= 2) >= results.Count * 0.9, "faces missing on many frames");
        int distinctIds = results.SelectMany(r => r.Tracks).Select(t => t.Id).Distinct().Count();
        Assert.InRange(distinctIds, 15, 35);
        int longest = results.SelectMany(r => r.Tracks).GroupBy(t => t.Id).Max(g => g.Count());
        Assert.True(longest >= results.Count / 8, $"longest track lasted {longest} of {results.Count} processed frames");

        long facesSeen = results.Sum(r => (long)r.Faces);
        Assert.True(stats.Embeddings >= distinctIds, "every track is recognised at least once");
        Assert.True(stats.Embeddings < facesSeen / 2, $"{stats.Embeddings} embeddings for {facesSeen} faces: embedding re-runs on every frame");
        Assert.All(results, r => Assert.Equal((640, 480), (r.Annotated.Width, r.Annotated.Height)));

        var named = results.SelectMany(r => r.Tracks).Where(t => t.Name == "Sheldon").ToList();
        Assert.NotEmpty(named);
        Assert.All(named, t => Assert.InRange(t.Similarity, 0.33f, 1f));
        Assert.Contains(results.SelectMany(r => r.Tracks), t => t.Name is null);
        Assert.All(results, r => Assert.True(r.Tracks.Count(t => t.Name == "Sheldon") <= 1, $"frame {r.Frame.Index}: the one enrolled person named twice"));
    }
}
