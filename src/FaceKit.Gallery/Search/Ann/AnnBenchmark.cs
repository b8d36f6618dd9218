using System.Diagnostics;
using FaceKit.Core.Errors;

namespace FaceKit.Gallery.Search.Ann;

/// <summary>What <see cref="AnnBenchmark.Run"/> measures.</summary>
public sealed record AnnBenchmarkOptions
{
    public int Size { get; init; } = 100_000;

    public int Dimension { get; init; } = 512;

    /// <summary>Identities the templates belong to; 0: one per five templates.</summary>
    public int Identities { get; init; }

    public int Queries { get; init; } = 1000;

    public int TopK { get; init; } = 10;

    /// <summary>"ivf" (ANN, compared with exact) or "exact" (exact search alone).</summary>
    public string Index { get; init; } = "ivf";

    /// <summary>IVF lists; 0: from the size.</summary>
    public int Lists { get; init; }

    /// <summary>IVF lists scanned per query, one measured row each over the same build; empty: the default for the list count.</summary>
    public IReadOnlyList<int> Probes { get; init; } = [];

    /// <summary>Threads for the build; 0: every core.</summary>
    public int Threads { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Folder for the saved index file (timed save and load); null: the system temp folder.</summary>
    public string? TempDirectory { get; init; }
}

/// <summary>
/// Wall-clock percentiles, and the same for the thread's CPU time (Linux; null elsewhere): on a shared
/// machine the wall clock also counts time the query waited for a core, the CPU time does not.
/// </summary>
public sealed record LatencyStats(double P50Ms, double P99Ms, double MeanMs, double? CpuP50Ms, double? CpuP99Ms);

/// <summary>The index at one probe count: latency, its ratio to exact search, and recall of subjects against exact search.</summary>
public sealed record AnnPoint(int Probes, LatencyStats Latency, double SpeedupP50, double RecallAt1, double RecallAt10);

public sealed record AnnBenchmarkResult(
    int Size, int Dimension, int Identities, int Queries, int TopK, string Index, int Threads,
    double GenerateSeconds, double BuildSeconds, double TrainSeconds, double AssignSeconds, double EncodeSeconds, int Lists,
    int DefaultProbes, int LargestList, double IndexMemoryMb,
    double SaveMs, double LoadMs, double IndexFileMb, double WorkingSetAfterBuildMb, double PeakWorkingSetMb,
    LatencyStats Exact, IReadOnlyList<AnnPoint> Ann);

/// <summary>
/// `facekit bench gallery`: synthetic face-like templates (<see cref="SyntheticTemplates"/>) in a
/// <see cref="TemplateMatrix"/>, the IVF index built from them, and each query answered both ways
/// in the same process: latency percentiles, and recall of the top-1 / top-10 subjects against
/// exact search (probes are unseen shots of enrolled identities, as at a gate).
/// </summary>
public static partial class AnnBenchmark
{
    public static AnnBenchmarkResult Run(AnnBenchmarkOptions o)
    {
        if (o.Size < 1) throw FaceKitException.BadInput($"--size must be at least 1, not {o.Size}");
        if (o.Dimension < 8) throw FaceKitException.BadInput($"--dim must be at least 8, not {o.Dimension}");
        if (o.Queries < 1) throw FaceKitException.BadInput($"--queries must be at least 1, not {o.Queries}");
        if (o.TopK < 1) throw FaceKitException.BadInput($"--top must be at least 1, not {o.TopK}");
        if (o.Index is not ("ivf" or "exact"))
            throw FaceKitException.BadInput($"--index {o.Index}: expected ivf or exact (USearch was measured and not shipped; see the README)");
        int identities = o.Identities > 0 ? o.Identities : Math.Max(1, o.Size / 5);
        int threads = o.Threads > 0 ? o.Threads : Environment.ProcessorCount;
        var synthetic = new SyntheticTemplates(o.Dimension, identities, o.Seed);

        var clock = Stopwatch.StartNew();
        var matrix = Generate(synthetic, o.Size, threads);
        double generate = clock.Elapsed.TotalSeconds;

        var probes = new float[o.Queries][];
        var random = new Random(o.Seed + 1);
        for (int q = 0; q < probes.Length; q++) probes[q] = synthetic.Template(random.Next(identities), 1_000_000 + q);

        IvfIndex? index = null;
        double build = 0, save = 0, load = 0, fileMb = 0, afterBuild = WorkingSetMb();
        var ivfOptions = new IvfOptions { Lists = o.Lists, Threads = threads };
        if (o.Index == "ivf")
        {
            clock.Restart();
            index = IvfIndex.Build(matrix.Rows, ivfOptions);
            build = clock.Elapsed.TotalSeconds;
            afterBuild = WorkingSetMb();
            (save, load, fileMb) = SaveAndLoad(matrix, index, ivfOptions, o.TempDirectory);
        }

        int defaultProbes = index?.Probes ?? 0;
        int[] sweep = index is null ? [] : o.Probes.Count > 0 ? o.Probes.Distinct().ToArray() : [defaultProbes];

        // Warm-up: JIT and caches, not counted.
        for (int q = 0; q < Math.Min(20, probes.Length); q++)
        {
            matrix.Search(probes[q], o.TopK);
            if (index is not null) GalleryAnn.Identify(matrix, index, probes[q], o.TopK);
        }

        // One pass per method: interleaved, each index query would start from caches the exact scan
        // (hundreds of MB) just swept, which no real identification stream does.
        var exactMs = new double[probes.Length];
        var exactCpu = new double[probes.Length];
        var exactAnswers = new GalleryMatch[probes.Length][];
        long possibleAt10 = 0;
        for (int q = 0; q < probes.Length; q++)
        {
            double cpu = ThreadCpu.Milliseconds();
            long t = Stopwatch.GetTimestamp();
            exactAnswers[q] = matrix.Search(probes[q], o.TopK);
            exactMs[q] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            exactCpu[q] = ThreadCpu.Milliseconds() - cpu;
            possibleAt10 += exactAnswers[q].Length;
        }
        var annMs = sweep.Select(_ => new double[probes.Length]).ToArray();
        var annCpu = sweep.Select(_ => new double[probes.Length]).ToArray();
        var hitsAt1 = new int[sweep.Length];
        var hitsAt10 = new long[sweep.Length];
        for (int p = 0; p < sweep.Length; p++)
        {
            index!.Probes = sweep[p];
            var answers = new GalleryMatch[probes.Length][];
            for (int q = 0; q < probes.Length; q++)
            {
                double cpu = ThreadCpu.Milliseconds();
                long t = Stopwatch.GetTimestamp();
                answers[q] = GalleryAnn.Identify(matrix, index, probes[q], o.TopK);
                annMs[p][q] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                annCpu[p][q] = ThreadCpu.Milliseconds() - cpu;
            }
            for (int q = 0; q < probes.Length; q++)
            {
                var exact = exactAnswers[q];
                if (answers[q].Length > 0 && exact.Length > 0 && answers[q][0].SubjectId == exact[0].SubjectId) hitsAt1[p]++;
                var found = answers[q].Select(m => m.SubjectId).ToHashSet();
                hitsAt10[p] += exact.Count(m => found.Contains(m.SubjectId));
            }
        }
        if (index is not null) index.Probes = defaultProbes;

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var exactStats = Stats(exactMs, exactCpu);
        var points = new AnnPoint[sweep.Length];
        for (int p = 0; p < sweep.Length; p++)
        {
            var stats = Stats(annMs[p], annCpu[p]);
            points[p] = new AnnPoint(Math.Min(sweep[p], index!.ListCount), stats, exactStats.P50Ms / stats.P50Ms,
                hitsAt1[p] / (double)probes.Length, hitsAt10[p] / (double)Math.Max(1, possibleAt10));
        }
        return new AnnBenchmarkResult(o.Size, o.Dimension, identities, probes.Length, o.TopK, o.Index, threads,
            generate, build, index?.BuildSeconds.Train ?? 0, index?.BuildSeconds.Assign ?? 0, index?.BuildSeconds.Encode ?? 0,
            index?.ListCount ?? 0, defaultProbes, index?.LargestList ?? 0, (index?.MemoryBytes ?? 0) / 1048576.0,
            save, load, fileMb, afterBuild, process.PeakWorkingSet64 / 1048576.0, exactStats, points);
    }

    private static double WorkingSetMb()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / 1048576.0;
    }

    /// <summary>Template id r + 1 is shot r / identities of identity r % identities; subject id = identity + 1.</summary>
    private static TemplateMatrix Generate(SyntheticTemplates synthetic, int size, int threads)
    {
        var matrix = new TemplateMatrix();
        matrix.Reset(synthetic.Dimension, size);
        int identities = synthetic.Identities, dim = synthetic.Dimension;
        int maxShots = (size + identities - 1) / identities;
        int chunk = Math.Max(1, 16_384 / maxShots);
        var buffer = new float[(long)chunk * maxShots * dim];
        for (int first = 0; first < identities; first += chunk)
        {
            int n = Math.Min(chunk, identities - first);
            // Identity j holds rows j, j + identities, j + 2·identities, … below size.
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
                synthetic.Shots(first + i, ShotsOf(first + i, size, identities), buffer.AsSpan(i * maxShots * dim, maxShots * dim)));
            for (int i = 0; i < n; i++)
            {
                int identity = first + i;
                for (int shot = 0; shot < ShotsOf(identity, size, identities); shot++)
                    matrix.Add(identity + (long)shot * identities + 1, identity + 1, Name(identity),
                        buffer.AsSpan((i * maxShots + shot) * dim, dim));
            }
        }
        return matrix;
    }

    private static int ShotsOf(int identity, int size, int identities) => size / identities + (identity < size % identities ? 1 : 0);

    private static readonly string[] NameCache = new string[1024];

    // Names are only shown in the gallery; a shared few keep a million-row matrix from holding a million strings.
    private static string Name(int identity) => NameCache[identity % NameCache.Length] ??= $"identity-{identity % NameCache.Length}";

    /// <summary>Saves through the gallery's index file path and loads it back (as the next open would).</summary>
    private static (double SaveMs, double LoadMs, double FileMb) SaveAndLoad(TemplateMatrix matrix, IvfIndex index, IvfOptions options, string? folder)
    {
        string path = Path.Combine(folder ?? Path.GetTempPath(), $"facekit-bench-{Guid.NewGuid():N}.db.ann");
        var log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        try
        {
            var writer = new GalleryAnn(path, null, options, canSave: true, log);
            writer.Adopt(index);
            var clock = Stopwatch.StartNew();
            writer.Save(matrix, "bench");
            double save = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var reader = new GalleryAnn(path, null, options, canSave: false, log);
            reader.Ensure(matrix, "bench");
            double load = clock.Elapsed.TotalMilliseconds;
            if (reader.LastEvent != "loaded") throw new InvalidOperationException($"the saved index did not load back: {reader.LastEvent}");
            return (save, load, new FileInfo(path).Length / 1048576.0);
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { }
        }
    }

    private static LatencyStats Stats(double[] ms, double[] cpuMs)
    {
        var sorted = ms.Order().ToArray();
        var cpu = cpuMs.Order().ToArray();
        bool haveCpu = ThreadCpu.Available;
        return new LatencyStats(Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted.Average(),
            haveCpu ? Percentile(cpu, 0.50) : null, haveCpu ? Percentile(cpu, 0.99) : null);
    }

    /// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), in ms; 0 where it cannot be read.</summary>
    private static partial class ThreadCpu
    {
        public static bool Available { get; } = OperatingSystem.IsLinux() && Probe();

        public static double Milliseconds()
        {
            if (!Available) return 0;
            clock_gettime(3, out var ts);
            return ts.Seconds * 1e3 + ts.Nanoseconds / 1e6;
        }

        private static bool Probe()
        {
            try
            {
                return clock_gettime(3, out _) == 0;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return false;
            }
        }

        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
        private static partial int clock_gettime(int clock, out TimeSpec time);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
