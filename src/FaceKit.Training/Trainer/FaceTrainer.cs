using System.Diagnostics;
using System.Globalization;
using System.Text;
using FaceKit.Core.Errors;
using FaceKit.Training.Data;
using FaceKit.Training.Losses;
using FaceKit.Training.Models;
using FaceKit.Training.Optimization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceKit.Training.Trainer;

/// <summary>
/// Trains a face embedding network on a <see cref="FaceDataset"/>: margin loss, optionally plus cosine distillation
/// towards the teacher's embeddings; SGD with warm-up + cosine LR; a checkpoint at every epoch end (last.ckpt, and
/// best.ckpt by validation score), a CSV row per epoch; resumable exactly (weights, BN statistics, momentum, step;
/// the batch order and flips are functions of seed and step, so no RNG state needs saving). Initial weights come from
/// libtorch's process-wide generator, seeded here: run one trainer per process for repeatable runs.
/// </summary>
public sealed class FaceTrainer(TrainerOptions options, ILogger? logger = null)
{
    public const string LastCheckpointName = "last.ckpt";
    public const string BestCheckpointName = "best.ckpt";
    public const string LogName = "log.csv";

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public TrainerOptions Options { get; } = options;

    public TrainingResult Run(FaceDataset data, IEpochValidator? validator = null, IProgress<TrainingProgress>? progress = null,
        Action<EpochSummary>? onEpoch = null, CancellationToken cancel = default)
    {
        var o = Options;
        if (o.BatchSize < 2) throw FaceKitException.BadInput("batch size must be at least 2 (batch norm needs it)");
        if (data.Count < o.BatchSize) throw FaceKitException.BadInput($"{data.Count} faces are fewer than one batch of {o.BatchSize}");
        if (o.Threads > 0) set_num_threads(o.Threads);
        Directory.CreateDirectory(o.OutputDirectory);
        string lastPath = Path.Combine(o.OutputDirectory, LastCheckpointName);
        string bestPath = Path.Combine(o.OutputDirectory, BestCheckpointName);

        // Whole batches only: a last batch of 1–2 faces would give BatchNorm useless statistics.
        int stepsPerEpoch = data.Count / o.BatchSize;
        int total = o.Steps ?? checked(o.Epochs * stepsPerEpoch);
        if (total <= 0) throw FaceKitException.BadInput("the run has no steps (--epochs or --steps must be positive)");
        int warmup = Math.Clamp(o.WarmupSteps ?? (int)Math.Round(o.WarmupEpochs * stepsPerEpoch), 0, total - 1);
        var schedule = new LearningRateSchedule(o.LearningRate, total, warmup, o.MinLearningRate);

        random.manual_seed(o.Seed);
        using var model = Architectures.Create(o.Architecture, o.EmbeddingSize);
        int embedding = model.Spec.EmbeddingSize;
        using var margin = new MarginHead(embedding, data.ClassCount, o.Margin);
        bool distill = data.Teacher is not null && o.DistillationWeight > 0;
        using var projection = distill && data.TeacherDimension != embedding ? Linear(embedding, data.TeacherDimension, hasBias: false) : null;
        if (!distill && o.MarginLossWeight <= 0) throw FaceKitException.BadInput("nothing to train on: margin loss weight is 0 and no teacher is given");

        var named = Prefixed("model.", model).Concat(Prefixed("margin.", margin));
        if (projection is not null) named = named.Concat(Prefixed("proj.", projection));
        // Decay conv and linear weights (2-D and up); BN scales/shifts, PReLU slopes and biases are left free.
        using var sgd = new Sgd(named.ToList(), (_, p) => p.dim() > 1 ? o.WeightDecay : 0, o.Momentum);

        int step = 0;
        double? best = null;
        if (o.Resume && File.Exists(lastPath))
        {
            var (info, tensors) = Checkpoint.Load(lastPath);
            try
            {
                if (!string.Equals(info.Architecture, model.Spec.Name, StringComparison.OrdinalIgnoreCase) || info.EmbeddingSize != embedding)
                    throw FaceKitException.BadInput($"{lastPath} is a {info.Architecture}/{info.EmbeddingSize} run, not {model.Spec.Name}/{embedding}");
                if (!info.Identities.SequenceEqual(data.Identities))
                    throw FaceKitException.BadInput($"{lastPath} was trained on other identities than this data set");
                if (info.TotalSteps != total || info.Seed != o.Seed)
                    throw FaceKitException.BadInput($"{lastPath} was a {info.TotalSteps}-step run with seed {info.Seed}; resume with the same length and seed");
                model.load_state_dict(Checkpoint.Under(tensors, "model."));
                margin.load_state_dict(Checkpoint.Under(tensors, "margin."));
                projection?.load_state_dict(Checkpoint.Under(tensors, "proj."));
                sgd.Load(Checkpoint.Under(tensors, "sgd."));
                step = info.Step;
                best = info.BestValidation;
                _logger.LogInformation("resuming at step {Step} of {Total}", step, total);
            }
            finally
            {
                foreach (var t in tensors.Values) t.Dispose();
            }
        }

        void Save(string path, int atStep) => Checkpoint.Save(path, new CheckpointInfo
        {
            Architecture = model.Spec.Name, EmbeddingSize = embedding, Identities = data.Identities.ToArray(), Step = atStep,
            TotalSteps = total, StepsPerEpoch = stepsPerEpoch, Seed = o.Seed, TeacherId = distill ? data.TeacherId : null, BestValidation = best,
        }, State(model, margin, projection, sgd));

        var epochs = new List<EpochSummary>();
        var clock = Stopwatch.StartNew();
        int startStep = step;
        double lossSum = 0, accSum = 0;
        int epochSteps = 0;
        var epochClock = Stopwatch.StartNew();
        int[]? order = null;
        int orderEpoch = -1;
        var indices = new int[o.BatchSize];
        var flips = new bool[o.BatchSize];
        model.train();
        margin.train();

        while (step < total)
        {
            if (cancel.IsCancellationRequested)
            {
                Save(lastPath, step);
                return new TrainingResult(TrainingOutcome.Cancelled, step, lastPath, File.Exists(bestPath) ? bestPath : null, epochs,
                    $"stopped at step {step} of {total}; continue with --resume");
            }
            int epoch = step / stepsPerEpoch, inEpoch = step % stepsPerEpoch;
            if (epoch != orderEpoch) { order = Permutation(data.Count, o.Seed, epoch); orderEpoch = epoch; }
            Array.Copy(order!, inEpoch * o.BatchSize, indices, 0, o.BatchSize);
            var coin = new Random(unchecked((int)(o.Seed * 1_000_003 + step)));
            for (int i = 0; i < flips.Length; i++) flips[i] = o.FlipAugmentation && coin.Next(2) == 1;
            double lr = schedule.At(step);

            double lossValue, accuracy;
            double? distillValue = null;
            using (var scope = NewDisposeScope())
            {
                var x = BatchMaker.Images(data, indices, flips);
                var y = BatchMaker.Labels(data, indices);
                var emb = model.forward(x);
                Tensor loss = zeros(1);
                if (o.MarginLossWeight > 0)
                    loss = functional.cross_entropy(margin.Logits(emb, y), y) * o.MarginLossWeight;
                if (distill)
                {
                    var teacher = BatchMaker.Teacher(data, indices, flips);
                    var student = projection is null ? emb : projection.forward(emb);
                    var d = (1 - functional.cosine_similarity(student, teacher, dim: 1)).mean();
                    distillValue = d.item<float>();
                    loss = loss + d * o.DistillationWeight;
                }
                lossValue = loss.sum().item<float>();
                if (!double.IsFinite(lossValue))
                {
                    string kept = File.Exists(lastPath) ? $"the last good checkpoint is {lastPath}" : "no checkpoint was written yet";
                    return new TrainingResult(TrainingOutcome.Diverged, step, lastPath, File.Exists(bestPath) ? bestPath : null, epochs,
                        $"loss became {lossValue} at step {step + 1} (lr {lr:g4}); stopped, {kept}; try a lower --lr or a longer warm-up");
                }
                sgd.ZeroGrad();
                loss.sum().backward();
                sgd.Step(lr);
                accuracy = margin.Predict(emb.detach()).eq(y).to_type(ScalarType.Float32).mean().item<float>();
            }
            step++;
            lossSum += lossValue;
            accSum += accuracy;
            epochSteps++;
            double perStep = clock.Elapsed.TotalSeconds / (step - startStep);
            progress?.Report(new TrainingProgress(step, total, epoch + 1, stepsPerEpoch, lossValue, accuracy, lr,
                o.BatchSize / perStep, TimeSpan.FromSeconds(perStep * (total - step)), distillValue));

            bool epochEnd = step % stepsPerEpoch == 0 || step == total;
            if (epochEnd)
            {
                ValidationResult? validation = null;
                if (validator is not null)
                {
                    model.eval();
                    using (no_grad()) validation = validator.Validate(model);
                    model.train();
                }
                bool isBest = validation is not null && (best is null || validation.Score > best);
                if (isBest) best = validation!.Score;
                var summary = new EpochSummary(epoch + 1, step, lossSum / epochSteps, accSum / epochSteps, lr,
                    epochSteps * o.BatchSize / epochClock.Elapsed.TotalSeconds, clock.Elapsed, validation);
                Save(lastPath, step);
                if (isBest) File.Copy(lastPath, bestPath, overwrite: true);
                AppendLog(Path.Combine(o.OutputDirectory, LogName), summary);
                epochs.Add(summary);
                onEpoch?.Invoke(summary);
                lossSum = accSum = 0;
                epochSteps = 0;
                epochClock.Restart();
            }
            else if (o.CheckpointEverySteps > 0 && step % o.CheckpointEverySteps == 0)
                Save(lastPath, step);
        }
        return new TrainingResult(TrainingOutcome.Completed, step, lastPath, File.Exists(bestPath) ? bestPath : null, epochs);
    }

    /// <summary>The order of the faces in an epoch: a Fisher–Yates shuffle seeded by (seed, epoch).</summary>
    public static int[] Permutation(int count, long seed, int epoch)
    {
        var rng = new Random(unchecked((int)(seed * 7_919 + epoch * 104_729 + 17)));
        var order = Enumerable.Range(0, count).ToArray();
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static IEnumerable<(string, Parameter)> Prefixed(string prefix, Module module) =>
        module.named_parameters().Select(p => (prefix + p.name, p.parameter));

    private static IEnumerable<(string, Tensor)> State(Module model, Module margin, Module? projection, Sgd sgd)
    {
        foreach (var (k, v) in model.state_dict()) yield return ("model." + k, v);
        foreach (var (k, v) in margin.state_dict()) yield return ("margin." + k, v);
        if (projection is not null)
            foreach (var (k, v) in projection.state_dict()) yield return ("proj." + k, v);
        foreach (var (k, v) in sgd.State) yield return ("sgd." + k, v);
    }

    private static void AppendLog(string path, EpochSummary s)
    {
        var inv = CultureInfo.InvariantCulture;
        var metrics = s.Validation?.Metrics ?? new Dictionary<string, double>();
        bool fresh = !File.Exists(path);
        var sb = new StringBuilder();
        if (fresh) sb.AppendLine("epoch,step,loss,accuracy,lr,images_per_s,elapsed_s,val_score" + string.Concat(metrics.Keys.Select(k => "," + k)));
        sb.Append(inv, $"{s.Epoch},{s.Step},{s.Loss:F5},{s.Accuracy:F4},{s.LearningRate:G6},{s.ImagesPerSecond:F1},{s.Elapsed.TotalSeconds:F1},");
        sb.Append(s.Validation is null ? "" : s.Validation.Score.ToString("F5", inv));
        foreach (var v in metrics.Values) sb.Append(',').Append(v.ToString("G6", inv));
        sb.AppendLine();
        File.AppendAllText(path, sb.ToString());
    }
}
