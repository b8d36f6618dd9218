using System.CommandLine;
using System.Globalization;
using FaceKit.Core.Errors;
using FaceKit.Inference;
using FaceKit.Training.Data;
using FaceKit.Training.Losses;
using FaceKit.Training.Models;
using FaceKit.Training.Trainer;
using Spectre.Console;

namespace FaceKit.Cli.Commands;

/// <summary>
/// `facekit train --arch NAME --data DIR [--teacher MODEL] [--epochs N | --steps N] --out DIR`: aligns the identity
/// folders once through the pipeline (cached), optionally embeds them with the teacher, and trains with TorchSharp.
/// Ctrl-C saves a checkpoint and stops; `--resume` continues from it exactly.
/// </summary>
public static class TrainCommand
{
    public static Command Build(ContextHolder holder)
    {
        var arch = new Option<string>("--arch") { Description = $"architecture: {string.Join(", ", Architectures.Names)}", DefaultValueFactory = _ => "mobilefacenet-v3" };
        var data = new Option<string>("--data") { Description = "identity folders: DIR/<identity>/*.jpg (raw photos are detected and aligned once; 112×112 crops are used as they are)", Required = true };
        var output = new Option<string>("--out") { Description = "run folder: checkpoints (last.ckpt, best.ckpt) and log.csv", Required = true };
        var teacher = new Option<string?>("--teacher") { Description = "distil from this registry embedder (e.g. faceplugin, the default model); cosine loss on its embeddings" };
        var epochs = new Option<int>("--epochs") { Description = "epochs", DefaultValueFactory = _ => 50 };
        var steps = new Option<int?>("--steps") { Description = "run length in optimizer steps instead of epochs" };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "peak learning rate (after warm-up; cosine decay to 0)", DefaultValueFactory = _ => 0.1 };
        var warmup = new Option<double>("--warmup-epochs") { Description = "linear warm-up length in epochs", DefaultValueFactory = _ => 1 };
        var loss = new Option<string>("--loss") { Description = "arcface (s=64, m=0.5), cosface (s=64, m=0.35) or softmax", DefaultValueFactory = _ => "arcface" };
        var embedding = new Option<int?>("--embedding") { Description = "embedding size (default 128 for MobileFaceNet, 512 for IR-50 and MobileNetV2)" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "L2 weight decay on conv/linear weights", DefaultValueFactory = _ => 5e-4 };
        var distillWeight = new Option<double>("--distill-weight") { Description = "weight of the cosine distillation loss", DefaultValueFactory = _ => 1.0 };
        var marginWeight = new Option<double>("--margin-weight") { Description = "weight of the margin loss (0: distillation only)", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<long>("--seed") { Description = "seed of weights, batch order and flips", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "continue from OUT/last.ckpt" };
        var noFlip = new Option<bool>("--no-flip") { Description = "no horizontal flip augmentation" };
        var maxIdentities = new Option<int?>("--max-identities") { Description = "use at most this many identity folders" };
        var cacheDir = new Option<string?>("--cache") { Description = "aligned-crop cache folder (default ~/.cache/facekit/training)" };
        var trainThreads = new Option<int>("--train-threads") { Description = "libtorch threads (0 = all cores)" };
        var validateLfw = new Option<string?>("--validate-lfw")
        {
            Description = "LFW-style folder (images/ and pairsDevTest.txt or pairs.txt) scored after every epoch; the best 10-fold accuracy is kept as best.ckpt",
        };
        var kface = new Option<bool>("--kface") { Description = "--data is a K-Face tree (ID/accessory/lighting/expression/pose.jpg): identities are its ID folders" };
        var command = new Command("train", "train a face embedding model (MobileFaceNet v1/v2/v3, MobileNetV2, IR-ResNet-50) with TorchSharp")
        {
            arch, data, output, teacher, epochs, steps, batch, lr, warmup, loss, embedding, weightDecay, distillWeight, marginWeight,
            seed, resume, noFlip, maxIdentities, cacheDir, trainThreads, validateLfw, kface,
        };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var options = new TrainerOptions
            {
                Architecture = parse.GetValue(arch)!, EmbeddingSize = parse.GetValue(embedding), Margin = MarginOptions.Parse(parse.GetValue(loss)!),
                Epochs = parse.GetValue(epochs), Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                WarmupEpochs = parse.GetValue(warmup), WeightDecay = parse.GetValue(weightDecay), DistillationWeight = parse.GetValue(distillWeight),
                MarginLossWeight = parse.GetValue(marginWeight), Seed = parse.GetValue(seed), Resume = parse.GetValue(resume),
                FlipAugmentation = !parse.GetValue(noFlip), Threads = parse.GetValue(trainThreads), OutputDirectory = parse.GetValue(output)!,
            };
            Architectures.Describe(options.Architecture); // an unknown name fails here, before any photo is aligned
            var teacherName = parse.GetValue(teacher);
            var pipelineOptions = teacherName is null ? ctx.PipelineOptions : ctx.PipelineOptions with { Embedder = teacherName };
            using var pipeline = FacePipeline.Create(pipelineOptions, ctx.Logger("FaceKit.Inference"));
            var cache = new FaceCropCache(parse.GetValue(cacheDir) ?? Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "facekit", "training"), ctx.Logger("FaceKit.Training"));

            using var cts = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var selection = new DataSelection { MaxIdentities = parse.GetValue(maxIdentities) ?? int.MaxValue };
                var dataRoot = parse.GetValue(data)!;
                var set = Stage(ctx, "aligning faces", p => parse.GetValue(kface)
                    ? cache.LoadKFace(dataRoot, pipeline, selection, p, cts.Token)
                    : cache.Load(dataRoot, pipeline, selection, p, cts.Token));
                LfwEpochValidator? validator = null;
                if (parse.GetValue(validateLfw) is { } lfwDir)
                {
                    var (pairsFile, imagesRoot) = LfwFolder(lfwDir);
                    var pairs = Evaluation.Pairs.LfwPairs.Read(pairsFile, imagesRoot);
                    var crops = Stage(ctx, "aligning validation pairs", p =>
                        cache.Load(imagesRoot, pipeline, new DataSelection { MinImagesPerIdentity = 1 }, p, cts.Token));
                    validator = new LfwEpochValidator(pairs, crops, imagesRoot);
                }
                if (teacherName is not null)
                    Stage(ctx, $"teacher {pipeline.Embedder.ModelId}", p => { cache.AttachTeacher(set, pipeline.Embedder, p, cts.Token); return 0; });
                ctx.Err.WriteLine($"training {options.Architecture} on {set.Count} faces of {set.ClassCount} identities"
                                  + (set.Teacher is null ? "" : $", distilling from {set.TeacherId}"));
                var result = Train(ctx, new FaceTrainer(options, ctx.Logger("FaceKit.Training")), set, validator, cts.Token);
                if (ctx.Json)
                    Output.JsonOutput.Write(ctx.Out, new
                    {
                        outcome = result.Outcome.ToString().ToLowerInvariant(), steps = result.Steps, checkpoint = result.LastCheckpoint,
                        best = result.BestCheckpoint, message = result.Message,
                        epochs = result.Epochs.Select(e => new { e.Epoch, e.Step, e.Loss, e.Accuracy, lr = e.LearningRate, e.ImagesPerSecond }),
                    });
                else
                    ctx.Out.WriteLine($"{result.Outcome.ToString().ToLowerInvariant()} after {result.Steps} steps: {result.LastCheckpoint}"
                                      + (result.Message is null ? "" : $" ({result.Message})"));
                if (result.Outcome == TrainingOutcome.Diverged) ctx.Err.WriteLine($"facekit: {result.Message}");
                return result.Outcome == TrainingOutcome.Diverged ? ExitCodes.Internal : ExitCodes.Success;
            }
            catch (OperationCanceledException)
            {
                ctx.Err.WriteLine("facekit: cancelled before training started (the crops aligned so far are not kept)");
                return ExitCodes.Internal;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return command;
    }

    private static T Stage<T>(CliContext ctx, string label, Func<IProgress<CacheProgress>?, T> work)
    {
        if (ctx.Json || Console.IsErrorRedirected) return work(null);
        T result = default!;
        ErrorConsole().Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(p =>
            {
                var task = p.AddTask(label);
                result = work(new SyncProgress<CacheProgress>(e => { task.MaxValue = Math.Max(1, e.Total); task.Value = e.Done; }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>The pairs file and images folder of an LFW-style folder (lfw-devtest: images/ and pairsDevTest.txt).</summary>
    private static (string Pairs, string Images) LfwFolder(string dir)
    {
        var pairs = new[] { "pairsDevTest.txt", "pairs.txt" }.Select(f => Path.Combine(dir, f)).FirstOrDefault(File.Exists)
                    ?? throw FaceKitException.BadInput($"--validate-lfw {dir}: no pairsDevTest.txt or pairs.txt there");
        var images = Path.Combine(dir, "images");
        if (!Directory.Exists(images)) throw FaceKitException.BadInput($"--validate-lfw {dir}: no images/ folder there");
        return (pairs, images);
    }

    private static TrainingResult Train(CliContext ctx, FaceTrainer trainer, FaceDataset set, IEpochValidator? validator, CancellationToken cancel)
    {
        void LogEpoch(EpochSummary e) => ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {e.Epoch}: loss {e.Loss:F4}, accuracy {e.Accuracy:P1}, lr {e.LearningRate:G3}, {e.ImagesPerSecond:F1} images/s")
            + (e.Validation is null ? "" : " | " + string.Join(", ", e.Validation.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F4}")))));
        if (ctx.Json || Console.IsErrorRedirected) return trainer.Run(set, validator, onEpoch: LogEpoch, cancel: cancel);
        TrainingResult result = null!;
        ErrorConsole().Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(p =>
            {
                var task = p.AddTask("training");
                result = trainer.Run(set, validator, onEpoch: LogEpoch, cancel: cancel, progress: new SyncProgress<TrainingProgress>(s =>
                {
                    task.MaxValue = s.TotalSteps;
                    task.Value = s.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"epoch {s.Epoch} loss {s.Loss:F3} acc {s.Accuracy:P0} lr {s.LearningRate:G3} {s.ImagesPerSecond:F0} img/s ETA {s.Eta:hh\\:mm\\:ss}");
                }));
            });
        return result;
    }

    private static IAnsiConsole ErrorConsole() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
