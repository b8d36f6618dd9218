using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using FaceKit.Cli.Output;
using FaceKit.Core.Alignment;
using FaceKit.Core.Embeddings;
using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Gallery;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Models;
using FaceKit.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceKit.Cli.Commands;

/// <summary>
/// `facekit bench`: per-stage latency (decode, detect, landmarks, align, embed, search) over a folder of images,
/// with each model's bare ONNX Runtime call timed in the same process as the baseline the stages are compared to.
/// </summary>
public static class BenchCommand
{
    public static Command Build(ContextHolder holder)
    {
        var images = new Option<string?>("--images") { Description = "folder of images (default ../shared/data/group-photos when present)" };
        var rounds = new Option<int>("--rounds") { Description = "passes over the folder", DefaultValueFactory = _ => 3 };
        var gallerySize = new Option<int>("--gallery-size") { Description = "synthetic templates searched per face", DefaultValueFactory = _ => 10_000 };
        var command = new Command("bench", "per-stage latency table and end-to-end faces/s") { images, rounds, gallerySize };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var folder = parse.GetValue(images) ?? DefaultFolder()
                ?? throw Core.Errors.FaceKitException.BadInput("no --images folder given and ../shared/data/group-photos is not there");
            var files = Directory.Exists(folder)
                ? Directory.GetFiles(folder).Where(f => ImageHeader.TryRead(File.ReadAllBytes(f).AsSpan(0, (int)Math.Min(64 * 1024, new FileInfo(f).Length))) is not null).Order().ToArray()
                : throw Core.Errors.FaceKitException.BadInput($"{folder}: no such folder");
            if (files.Length == 0) throw Core.Errors.FaceKitException.BadInput($"{folder}: no images");
            var result = Run(ctx, files, Math.Max(1, parse.GetValue(rounds)), Math.Max(1, parse.GetValue(gallerySize)));
            if (ctx.Json) JsonOutput.Write(ctx.Out, result);
            else Print(ctx.Out, result);
            return ExitCodes.Success;
        });
        command.Subcommands.Add(BenchVideoCommand.Build(holder));
        command.Subcommands.Add(BenchGalleryCommand.Build(holder));
        return command;
    }

    private static string? DefaultFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "data", "group-photos");
            if (File.Exists(Path.Combine(dir.FullName, "FaceKit.slnx")) && Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    private sealed record BenchResult(
        string Machine, string Images, int Files, int Rounds, int Faces, int GallerySize, double FacesPerSecond,
        IReadOnlyList<StageStats> Stages, IReadOnlyList<StageStats> ModelBaselines, IReadOnlyDictionary<string, double> StageToModelRatio);

    private static BenchResult Run(CliContext ctx, string[] files, int rounds, int gallerySize)
    {
        var pipeline = ctx.Pipeline;
        var timer = new StageTimer();
        using var tmp = new TempGallery(gallerySize, pipeline.EmbedderId, pipeline.Embedder.Dimension);

        // Warm-up: first calls pay for lazy initialisation inside ONNX Runtime and OpenCV.
        pipeline.Analyze(pipeline.Load(files[0]));

        int faces = 0;
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < rounds; r++)
        foreach (var file in files)
        {
            var image = timer.Time("decode", () => pipeline.Load(file));
            var boxes = timer.Time("detect", () => pipeline.Detector.Detect(image));
            var aligned = new List<ImageBuffer>();
            foreach (var box in boxes)
            {
                var lm = timer.Time("landmarks", () => pipeline.Landmarker.Locate(image, box.Box));
                aligned.Add(timer.Time("align", () => FaceAligner.Align(image, lm, pipeline.Embedder.InputSize)));
            }
            foreach (var crop in aligned)
            {
                var embedding = timer.Time("embed", () => pipeline.Embedder.Embed([crop])[0]);
                timer.Time("search", () => tmp.Gallery.Identify(embedding, 5));
            }
            faces += aligned.Count;
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (faces == 0)
            throw Core.Errors.FaceKitException.BadInput($"{Path.GetDirectoryName(files[0])}: no faces found in {files.Length} image(s); nothing to time");

        var baselines = ModelBaselines(ctx, 50);
        var ratio = new Dictionary<string, double>
        {
            ["detect"] = Median(timer, "detect") / baselines.First(b => b.Stage == "detector model").MedianMs,
            ["landmarks"] = Median(timer, "landmarks") / baselines.First(b => b.Stage == "landmark model").MedianMs,
            ["embed"] = Median(timer, "embed") / baselines.First(b => b.Stage == "embedder model").MedianMs,
        };
        return new BenchResult(MachineDescription(), Path.GetDirectoryName(files[0])!, files.Length, rounds, faces, gallerySize,
            faces / seconds, timer.Summary().ToList(), baselines, ratio);
    }

    private static double Median(StageTimer t, string stage) => t.Summary().First(s => s.Stage == stage).MedianMs;

    /// <summary>Each model's bare session.Run on a prepared tensor: the floor the pipeline stages are measured against.</summary>
    private static List<StageStats> ModelBaselines(CliContext ctx, int runs)
    {
        var store = new ModelStore(ctx.ModelDirectory);
        var factory = new OnnxSessionFactory(ctx.PipelineOptions.Inference);
        var timer = new StageTimer();
        foreach (var (label, role, name) in new[]
                 {
                     ("detector model", ModelRole.Detector, ctx.PipelineOptions.Detector),
                     ("landmark model", ModelRole.Landmarker, ctx.PipelineOptions.Landmarker),
                     ("embedder model", ModelRole.Embedder, ctx.PipelineOptions.Embedder),
                 })
        {
            using var session = factory.Create(store.Require(store.Find(name, role)));
            var meta = session.InputMetadata.First();
            var tensor = new DenseTensor<float>(meta.Value.Dimensions.Select(d => Math.Max(d, 1)).ToArray());
            var inputs = new[] { NamedOnnxValue.CreateFromTensor(meta.Key, tensor) };
            session.Run(inputs).Dispose();
            for (int i = 0; i < runs; i++) timer.Time(label, () => { session.Run(inputs).Dispose(); return 0; });
        }
        return timer.Summary().ToList();
    }

    public static string MachineDescription()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        return $"{cpu}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    private static void Print(TextWriter o, BenchResult r)
    {
        o.WriteLine($"machine: {r.Machine}");
        o.WriteLine($"{r.Files} images × {r.Rounds} rounds from {r.Images}: {r.Faces} faces, {r.FacesPerSecond:F1} faces/s end to end (single thread of calls)");
        o.WriteLine($"{"stage",-16} {"n",6} {"median ms",10} {"p95 ms",9}");
        foreach (var s in r.Stages) o.WriteLine($"{s.Stage,-16} {s.Count,6} {s.MedianMs,10:F3} {s.P95Ms,9:F3}");
        o.WriteLine("baseline (bare model call, same process):");
        foreach (var s in r.ModelBaselines) o.WriteLine($"{s.Stage,-16} {s.Count,6} {s.MedianMs,10:F3} {s.P95Ms,9:F3}");
        o.WriteLine("stage median / model median: " + string.Join(", ", r.StageToModelRatio.Select(kv => $"{kv.Key} {kv.Value:F2}×")));
        o.WriteLine($"search: exact cosine top-5 over {r.GallerySize} synthetic templates");
    }

    /// <summary>A throw-away SQLite gallery filled with seeded random unit vectors, for the search stage.</summary>
    private sealed class TempGallery : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), $"facekit-bench-{Guid.NewGuid():N}.db");

        public TempGallery(int size, string modelId, int dim)
        {
            Gallery = SqliteGallery.Open(_path, new GalleryOptions { Audit = new GalleryAuditOptions { Enabled = false } });
            var random = new Random(42);
            const int perSubject = 10;
            for (int s = 0; s * perSubject < size; s++)
            {
                var batch = new List<Embedding>();
                for (int t = 0; t < perSubject && s * perSubject + t < size; t++)
                {
                    var v = new float[dim];
                    for (int i = 0; i < dim; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
                    batch.Add(new Embedding(v, modelId));
                }
                Gallery.Enroll($"subject-{s:D6}", batch);
            }
        }

        public SqliteGallery Gallery { get; }

        public void Dispose()
        {
            Gallery.Dispose();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                try { File.Delete(_path + suffix); } catch (IOException) { }
        }
    }
}
