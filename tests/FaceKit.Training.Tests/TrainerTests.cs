using FaceKit.Testing;
using FaceKit.Training.Data;
using FaceKit.Training.Losses;
using FaceKit.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceKit.Training.Tests;

/// <summary>Trainer mechanics on a small synthetic set: resume equivalence, Ctrl-C, NaN stop, logs.</summary>
[Collection("torch")]
public class TrainerTests
{
    /// <summary>4 identities × 4 crops: a bright blob at an identity-specific place plus noise.</summary>
    internal static FaceDataset Synthetic(int identities = 4, int perIdentity = 4)
    {
        var rng = new Random(5);
        int n = identities * perIdentity;
        var pixels = new byte[n * FaceDataset.CropBytes];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i / perIdentity;
            int cx = 20 + 24 * labels[i], cy = 56;
            for (int y = 0; y < 112; y++)
                for (int x = 0; x < 112; x++)
                    for (int c = 0; c < 3; c++)
                    {
                        int d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                        pixels[i * FaceDataset.CropBytes + (y * 112 + x) * 3 + c] = (byte)Math.Clamp((d2 < 200 ? 200 : 40) + rng.Next(-20, 20), 0, 255);
                    }
        }
        return new FaceDataset(pixels, labels, Enumerable.Range(0, identities).Select(i => $"id{i}").ToArray(),
            Enumerable.Range(0, n).Select(i => $"id{labels[i]}/{i}.jpg").ToArray());
    }

    private static TrainerOptions Options(string dir) => new()
    {
        Architecture = "tiny", BatchSize = 4, Steps = 6, WarmupSteps = 2, LearningRate = 0.05,
        Margin = MarginOptions.CosFace(s: 16), Seed = 11, OutputDirectory = dir, Resume = true,
    };

    private static Dictionary<string, float[]> Weights(string checkpoint)
    {
        var (_, tensors) = Checkpoint.Load(checkpoint);
        return tensors.Where(p => p.Key.StartsWith("model.") && p.Value.dtype == ScalarType.Float32)
            .ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());
    }

    [Fact]
    public void Resume_AfterCtrlC_EndsWhereAnUninterruptedRunEnds()
    {
        var data = Synthetic();
        using var straight = new TempDirectory();
        var full = new FaceTrainer(Options(straight.Path)).Run(data);
        Assert.Equal(TrainingOutcome.Completed, full.Outcome);
        Assert.Equal(6, full.Steps);

        using var split = new TempDirectory();
        using var cts = new CancellationTokenSource();
        var first = new FaceTrainer(Options(split.Path)).Run(data, progress: new SyncProgress(p => { if (p.Step == 3) cts.Cancel(); }), cancel: cts.Token);
        Assert.Equal(TrainingOutcome.Cancelled, first.Outcome);
        Assert.Equal(3, first.Steps);
        var second = new FaceTrainer(Options(split.Path)).Run(data);
        Assert.Equal(TrainingOutcome.Completed, second.Outcome);

        var a = Weights(full.LastCheckpoint);
        var b = Weights(second.LastCheckpoint);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var key in a.Keys)
            for (int i = 0; i < a[key].Length; i++)
                Assert.True(Math.Abs(a[key][i] - b[key][i]) <= 1e-6f, $"{key}[{i}]: {a[key][i]} vs {b[key][i]}");
    }

    [Fact]
    public void EveryEpoch_WritesACsvRowAndACheckpoint()
    {
        using var dir = new TempDirectory();
        var result = new FaceTrainer(Options(dir.Path) with { Steps = null, Epochs = 2 }).Run(Synthetic());
        Assert.Equal(2, result.Epochs.Count);
        var lines = File.ReadAllLines(dir.File(FaceTrainer.LogName));
        Assert.Equal("epoch,step,loss,accuracy,lr,images_per_s,elapsed_s,val_score", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("2,8,", lines[2]);
        var (info, _) = Checkpoint.Load(dir.File(FaceTrainer.LastCheckpointName));
        Assert.Equal(8, info.Step);
        Assert.Equal(["id0", "id1", "id2", "id3"], info.Identities);
    }

    [Fact]
    public void NaNLoss_StopsWithAMessage_AndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new TempDirectory();
        var data = Synthetic();
        var ok = new FaceTrainer(Options(dir.Path) with { Steps = 4 }).Run(data);
        var before = File.ReadAllBytes(ok.LastCheckpoint);
        // A learning rate of 1e30 makes the weights overflow within a step or two.
        using var dir2 = new TempDirectory();
        File.Copy(ok.LastCheckpoint, dir2.File(FaceTrainer.LastCheckpointName));
        var bad = new FaceTrainer(Options(dir2.Path) with { Steps = 40, LearningRate = 1e30, Resume = false }).Run(data);
        Assert.Equal(TrainingOutcome.Diverged, bad.Outcome);
        Assert.Contains("loss became", bad.Message);
        Assert.Equal(before, File.ReadAllBytes(dir2.File(FaceTrainer.LastCheckpointName)));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the trainer's tests need the callback before the next step.</summary>
    internal sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
