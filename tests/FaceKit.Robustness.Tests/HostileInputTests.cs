using System.Collections.Concurrent;
using System.Diagnostics;
using FaceKit.Core.Errors;
using FaceKit.Inference;
using FaceKit.Inference.Imaging;
using FaceKit.Testing;
using Xunit.Abstractions;

namespace FaceKit.Robustness.Tests;

/// <summary>
/// Every hostile input goes through <see cref="ImageLoader.Decode"/> and, when it decodes, the whole
/// pipeline (detect → landmarks → align → embed), in process. Allowed outcomes: a valid result, or a
/// <see cref="FaceKitException"/> of code BadInput / NoFace. Anything else is a crash; running past the
/// per-input limit is a hang.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PerInput = TimeSpan.FromSeconds(30);

    [SharedDataFact]
    public void Generator_MakesAtLeastAThousandInputs_OfEveryKind()
    {
        var inputs = HostileInputs.Generate();
        Assert.True(inputs.Count >= 1000, $"only {inputs.Count} inputs");
        foreach (var kind in new[] { "truncated-jpeg", "truncated-png", "truncated-webp", "truncated-pgm", "bitflip-jpeg", "bitflip-png",
                     "bitflip-webp", "bitflip-pgm", "empty", "degenerate-1x1", "huge-header-png", "huge-header-jpeg", "huge-header-pgm",
                     "huge-header-webp", "bomb-png", "wrong-extension" })
            Assert.Contains(inputs, i => i.Kind == kind);
    }

    [RealModelFact]
    public void EveryHostileInput_IsAValidResultOrBadInputOrNoFace_NeverACrashOrAHang()
    {
        var inputs = HostileInputs.Generate();
        using var pipeline = FacePipeline.Create(new PipelineOptions { ModelDirectory = TestModels.Directory });
        var outcomes = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        var slow = new ConcurrentQueue<string>();
        var slowest = (Time: TimeSpan.Zero, What: "");
        var total = Stopwatch.StartNew();
        long peakWorkingSet = 0;

        // Two at a time (the machine has two cores); each input on its own task with a deadline.
        Parallel.ForEach(Enumerable.Range(0, inputs.Count), new ParallelOptions { MaxDegreeOfParallelism = 2 }, index =>
        {
            var input = inputs[index];
            var clock = Stopwatch.StartNew();
            var task = Task.Run(() => Run(pipeline, input));
            string outcome;
            if (!task.Wait(PerInput))
            {
                outcome = "HANG";
                failures.Enqueue($"#{index} {input.Kind} {input.Name} ({input.Bytes.Length} B): no answer within {PerInput.TotalSeconds} s");
            }
            else
            {
                outcome = task.Result;
                if (outcome.StartsWith("CRASH", StringComparison.Ordinal))
                    failures.Enqueue($"#{index} {input.Kind} {input.Name} ({input.Bytes.Length} B): {outcome}");
            }
            outcomes.AddOrUpdate(outcome.StartsWith("CRASH", StringComparison.Ordinal) ? "CRASH" : outcome, 1, (_, n) => n + 1);
            if (clock.Elapsed > TimeSpan.FromSeconds(3))
                slow.Enqueue($"{clock.Elapsed.TotalSeconds:0.0} s {input.Kind} {input.Name} ({input.Bytes.Length} B) -> {outcome}");
            lock (failures)
            {
                if (clock.Elapsed > slowest.Time) slowest = (clock.Elapsed, $"{input.Kind} {input.Name} ({input.Bytes.Length} B)");
                peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
            }
        });

        output.WriteLine($"{inputs.Count} hostile inputs in {total.Elapsed.TotalSeconds:0.0} s; slowest {slowest.Time.TotalMilliseconds:0} ms ({slowest.What}); " +
                         $"peak working set {peakWorkingSet / (1024 * 1024)} MB");
        foreach (var (outcome, count) in outcomes.OrderByDescending(o => o.Value)) output.WriteLine($"  {outcome,-28} {count,5}");
        output.WriteLine($"  {slow.Count} inputs took over 3 s (answered, but slow: CPU spent on data the header over-promises):");
        foreach (var line in slow) output.WriteLine($"    {line}");
        foreach (var (kind, count) in inputs.GroupBy(i => i.Kind).Select(g => (g.Key, g.Count())).OrderBy(k => k.Key, StringComparer.Ordinal))
            output.WriteLine($"    kind {kind,-28} {count,4}");
        Assert.True(failures.IsEmpty, $"{failures.Count} inputs crashed or hung:\n" + string.Join("\n", failures.Take(30)));
        Assert.Equal(inputs.Count, outcomes.Values.Sum());
    }

    /// <summary>The input's outcome: "decoded: N faces", "BadInput", "NoFace", or "CRASH ..." for anything unexpected.</summary>
    private static string Run(FacePipeline pipeline, HostileInput input)
    {
        try
        {
            var image = pipeline.Loader.Decode(input.Bytes, input.Name);
            if (image.Width <= 0 || image.Height <= 0) return $"CRASH decoded to {image.Width}x{image.Height}";
            var faces = pipeline.Analyze(image, maxFaces: 1);
            foreach (var face in faces)
            {
                var v = face.Embedding.Vector;
                if (v.Length == 0 || v.ToArray().Any(x => !float.IsFinite(x))) return "CRASH non-finite embedding";
            }
            return faces.Count == 0 ? "valid: no face" : "valid: face(s)";
        }
        catch (FaceKitException e) when (e.Code is ErrorCode.BadInput or ErrorCode.NoFace)
        {
            if (string.IsNullOrWhiteSpace(e.Message) || e.Message.Contains('\n')) return $"CRASH message not one line: '{e.Message}'";
            return $"FaceKitException {e.Code}";
        }
        catch (Exception e)
        {
            return $"CRASH {e.GetType().Name}: {e.Message.Split('\n')[0]}";
        }
    }
}
