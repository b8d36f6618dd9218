using System.Diagnostics;
using FaceKit.Inference;
using FaceKit.Testing;
using FaceKit.Training.Data;
using FaceKit.Training.Losses;
using FaceKit.Training.Trainer;
using Xunit.Abstractions;

namespace FaceKit.Training.Tests;

/// <summary>The whole path on real photographs: detect + align through the core pipeline, cache, teacher, train.</summary>
[Collection("torch")]
public class RealFaceTrainingTests(ITestOutputHelper output)
{
    [RealModelFact]
    public void TwentySteps_OnRealCelebAFaces_DistilledFromTheTeacher_LowerTheLoss()
    {
        using var pipeline = FacePipeline.Create(new PipelineOptions { ModelDirectory = TestModels.Directory });
        using var dir = new TempDirectory();
        var cache = new FaceCropCache(dir.File("cache"));
        var selection = new DataSelection { MaxIdentities = 6, MaxImagesPerIdentity = 6 };
        var clock = Stopwatch.StartNew();
        var data = cache.Load(SharedData.Path("celeba-train"), pipeline, selection);
        var alignTime = clock.Elapsed;
        Assert.Equal(6, data.ClassCount);
        Assert.InRange(data.Count, 24, 36); // a photo without a detectable face is skipped, not fatal

        clock.Restart();
        var again = cache.Load(SharedData.Path("celeba-train"), pipeline, selection);
        Assert.Equal(data.Pixels, again.Pixels); // the second load reads the cache
        Assert.True(clock.Elapsed < alignTime / 2, $"cached load took {clock.Elapsed}, aligning {alignTime}");

        cache.AttachTeacher(data, pipeline.Embedder);
        Assert.Equal(512, data.TeacherDimension);

        var losses = new List<double>();
        var result = new FaceTrainer(new TrainerOptions
        {
            Architecture = "tiny", BatchSize = 12, Steps = 20, WarmupSteps = 2, LearningRate = 0.1,
            Margin = MarginOptions.ArcFace(), Seed = 1, OutputDirectory = dir.File("run"),
        }).Run(data, progress: new TrainerTests.SyncProgress(p => losses.Add(p.Loss)));

        output.WriteLine($"{data.Count} faces aligned in {alignTime.TotalSeconds:F1} s; losses: {string.Join(" ", losses.Select(l => l.ToString("F2")))}");
        Assert.Equal(TrainingOutcome.Completed, result.Outcome);
        Assert.Equal(20, losses.Count);
        Assert.True(losses.TakeLast(5).Average() < 0.9 * losses.Take(5).Average(),
            $"loss did not go down: {string.Join(" ", losses.Select(l => l.ToString("F2")))}");
    }

    [RealModelFact]
    public void AlignedCrops_AreFacesTheTeacherRecognises()
    {
        // Two photos of one CelebA identity, aligned by the cache, must be nearer each other than to another person.
        using var pipeline = FacePipeline.Create(new PipelineOptions { ModelDirectory = TestModels.Directory });
        using var dir = new TempDirectory();
        var cache = new FaceCropCache(dir.File("cache"));
        var data = cache.Load(SharedData.Path("celeba-train"), pipeline, new DataSelection { MaxIdentities = 2, MaxImagesPerIdentity = 3 });
        cache.AttachTeacher(data, pipeline.Embedder);
        int d = data.TeacherDimension;
        float Cos(int i, int j) => data.Teacher!.AsSpan(i * d, d).ToArray().Zip(data.Teacher!.AsSpan(j * d, d).ToArray()).Sum(p => p.First * p.Second);
        var same = new List<float>();
        var different = new List<float>();
        for (int i = 0; i < data.Count; i++)
            for (int j = i + 1; j < data.Count; j++)
                (data.Labels[i] == data.Labels[j] ? same : different).Add(Cos(i, j));
        Assert.True(same.Average() > different.Average() + 0.2, $"same {same.Average():F2}, different {different.Average():F2}");
    }
}
