using System.CommandLine;
using FaceKit.Cli.Output;
using FaceKit.Gallery.Search.Ann;

namespace FaceKit.Cli.Commands;

/// <summary>
/// `facekit bench gallery --size N`: identification over N synthetic face-like templates, the IVF index
/// against exact search in the same process (build time, memory, p50/p99 latency, recall@1/@10).
/// </summary>
public static class BenchGalleryCommand
{
    public static Command Build(ContextHolder holder)
    {
        var size = new Option<int>("--size") { Description = "templates in the gallery", DefaultValueFactory = _ => 100_000 };
        var dim = new Option<int>("--dim") { Description = "template dimension", DefaultValueFactory = _ => 512 };
        var identities = new Option<int>("--identities") { Description = "identities the templates belong to (default size/5)" };
        var queries = new Option<int>("--queries") { Description = "probes timed and checked against exact search", DefaultValueFactory = _ => 1000 };
        var top = new Option<int>("--top") { Description = "subjects per identification", DefaultValueFactory = _ => 10 };
        var index = new Option<string>("--index") { Description = "ivf (compared with exact) or exact", DefaultValueFactory = _ => "ivf" };
        var lists = new Option<int>("--lists") { Description = "IVF lists (default: from the size)" };
        var probes = new Option<string?>("--probes") { Description = "IVF lists scanned per query, or a comma list to sweep over one build (default: from the list count)" };
        var threads = new Option<int>("--threads") { Description = "build threads (default: every core)" };
        var seed = new Option<int>("--seed") { Description = "synthetic data seed", DefaultValueFactory = _ => 1 };
        var command = new Command("gallery", "ANN index vs exact search on a large synthetic gallery: build time, memory, latency, recall")
            { size, dim, identities, queries, top, index, lists, probes, threads, seed };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var result = AnnBenchmark.Run(new AnnBenchmarkOptions
            {
                Size = parse.GetValue(size),
                Dimension = parse.GetValue(dim),
                Identities = parse.GetValue(identities),
                Queries = parse.GetValue(queries),
                TopK = parse.GetValue(top),
                Index = parse.GetValue(index)!,
                Lists = parse.GetValue(lists),
                Probes = ParseList(parse.GetValue(probes)),
                Threads = parse.GetValue(threads),
                Seed = parse.GetValue(seed),
            });
            var report = new GalleryBenchReport(BenchCommand.MachineDescription(), LoadAverage(), result);
            if (ctx.Json) JsonOutput.Write(ctx.Out, report);
            else Print(ctx.Out, report);
            return ExitCodes.Success;
        });
        return command;
    }

    private static int[] ParseList(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(p => int.TryParse(p, out int n) && n > 0 ? n : throw Core.Errors.FaceKitException.BadInput($"--probes: '{p}' is not a positive whole number"))
                .ToArray();

    private sealed record GalleryBenchReport(string Machine, string? LoadAverage, AnnBenchmarkResult Result);

    /// <summary>The 1/5/15-minute load averages: on a shared machine the latencies mean little without them.</summary>
    private static string? LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void Print(TextWriter o, GalleryBenchReport report)
    {
        var r = report.Result;
        o.WriteLine($"machine: {report.Machine}" + (report.LoadAverage is null ? "" : $", load average {report.LoadAverage}"));
        o.WriteLine($"{r.Size:N0} synthetic {r.Dimension}-d templates of {r.Identities:N0} identities (generated in {r.GenerateSeconds:F1} s); " +
                    $"{r.Queries} probes, top {r.TopK} subjects");
        if (r.Ann.Count > 0)
        {
            o.WriteLine($"IVF index: {r.Lists} lists (largest {r.LargestList}, mean {r.Size / Math.Max(1, r.Lists)}), default {r.DefaultProbes} scanned per query; " +
                        $"built in {r.BuildSeconds:F1} s on {r.Threads} threads (k-means {r.TrainSeconds:F1} s, filing {r.AssignSeconds:F1} s, " +
                        $"int8 codes {r.EncodeSeconds:F1} s), {r.IndexMemoryMb:F0} MB");
            o.WriteLine($"index file: {r.IndexFileMb:F1} MB, saved in {r.SaveMs:F0} ms, loaded in {r.LoadMs:F0} ms");
        }
        o.WriteLine($"working set: {r.WorkingSetAfterBuildMb:F0} MB once templates (and index) are in memory; peak {r.PeakWorkingSetMb:F0} MB (the save/load check holds a second index for a while)");
        o.WriteLine($"{"search",-14} {"p50 ms",8} {"p99 ms",8} {"mean ms",8} {"cpu p50",8} {"cpu p99",8} {"exact/ivf",10} {"recall@1",9} {"recall@10",10}");
        o.WriteLine($"{"exact",-14} {r.Exact.P50Ms,8:F2} {r.Exact.P99Ms,8:F2} {r.Exact.MeanMs,8:F2} {r.Exact.CpuP50Ms,8:F2} {r.Exact.CpuP99Ms,8:F2}");
        foreach (var p in r.Ann)
            o.WriteLine($"{$"ivf nprobe={p.Probes}",-14} {p.Latency.P50Ms,8:F2} {p.Latency.P99Ms,8:F2} {p.Latency.MeanMs,8:F2} " +
                        $"{p.Latency.CpuP50Ms,8:F2} {p.Latency.CpuP99Ms,8:F2} {p.SpeedupP50,9:F1}× {p.RecallAt1,9:F4} {p.RecallAt10,10:F4}");
        o.WriteLine("recall: the index's top-1 / top-10 subjects against exact search's; cpu: the query thread's CPU time (excludes waiting for a core)");
    }
}
