using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace FaceKit.Gallery.Search.Ann;

/// <summary>
/// Inverted-file index: spherical k-means centroids trained on a sample, every vector filed in the
/// list of its nearest centroid as int8 codes, and a query that scans only the lists of its
/// <see cref="Probes"/> nearest centroids. Training and filing run on every core (Parallel.For);
/// adds and removes after the build are single-row and cheap. Chosen over HNSW (USearch) by
/// measurement, see the README: the build is one matrix pass, not a million graph insertions.
/// </summary>
internal sealed class IvfIndex : IAnnIndex
{
    private readonly float[] _centroids;
    private readonly InvertedList[] _lists;
    private readonly Dictionary<long, int> _listOf;
    private readonly int _stride;

    private IvfIndex(int dimension, float[] centroids, int listCount, int probes, int trainedCount, int capacity)
    {
        Dimension = dimension;
        _stride = AnnKernels.Stride(dimension);
        _centroids = centroids;
        _lists = new InvertedList[listCount];
        _listOf = new Dictionary<long, int>(capacity);
        Probes = probes > 0 ? Math.Min(probes, listCount) : IvfOptions.DefaultProbes(listCount);
        TrainedCount = trainedCount;
    }

    public string Kind => "ivf";

    public int Dimension { get; }

    public int Count => _listOf.Count;

    public int ListCount => _lists.Length;

    public int Probes { get; set; }

    /// <summary>Rows the centroids were trained for; lists grow long when <see cref="Count"/> runs far past it.</summary>
    public int TrainedCount { get; }

    public int LargestList => _lists.Max(l => l?.Count ?? 0);

    /// <summary>Seconds spent by <see cref="Build"/> in k-means training, assigning every row, and encoding the lists.</summary>
    public (double Train, double Assign, double Encode) BuildSeconds { get; private set; }

    /// <summary>Bytes held by centroids, codes and ids (not the vectors, which the matrix owns).</summary>
    public long MemoryBytes =>
        (long)_centroids.Length * sizeof(float) + _lists.Sum(l => l.CapacityBytes(_stride)) + (long)_listOf.Count * 24;

    /// <summary>Trains centroids on a sample of <paramref name="rows"/> and files every row.</summary>
    public static IvfIndex Build(AnnRows rows, IvfOptions options)
    {
        if (rows.Count == 0) throw new ArgumentException("nothing to index", nameof(rows));
        int lists = Math.Min(options.Lists > 0 ? options.Lists : IvfOptions.DefaultLists(rows.Count), rows.Count);
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var centroids = Train(rows, lists, options);
        var trained = System.Diagnostics.Stopwatch.GetElapsedTime(start);
        var index = new IvfIndex(rows.Dimension, centroids, lists, options.Probes, rows.Count, rows.Count);
        var assigned = new int[rows.Count];
        Assign(rows.Vectors, rows.Count, rows.Dimension, centroids, lists, assigned, options.ThreadCount);
        var filed = System.Diagnostics.Stopwatch.GetElapsedTime(start);
        index.Fill(rows, assigned, options.ThreadCount);
        index.BuildSeconds = (trained.TotalSeconds, (filed - trained).TotalSeconds,
            (System.Diagnostics.Stopwatch.GetElapsedTime(start) - filed).TotalSeconds);
        return index;
    }

    /// <summary>
    /// Rebuilds from saved centroids and a saved id → list filing: rows whose id is filed keep their
    /// list (no centroid scoring), new ids go to their nearest centroid, filed ids with no row are
    /// dropped. The int8 codes are re-encoded from <paramref name="rows"/>, so the saved form holds
    /// no vectors.
    /// </summary>
    public static IvfIndex Restore(AnnRows rows, float[] centroids, int listCount, int probes, int trainedCount,
        IReadOnlyDictionary<long, int> filed, int threads, out int added, out int dropped)
    {
        if (centroids.Length != listCount * rows.Dimension) throw new ArgumentException("centroids do not fit the lists", nameof(centroids));
        var index = new IvfIndex(rows.Dimension, centroids, listCount, probes, trainedCount, rows.Count);
        var assigned = new int[rows.Count];
        var fresh = new List<int>();
        int kept = 0;
        for (int row = 0; row < rows.Count; row++)
        {
            if (filed.TryGetValue(rows.Ids[row], out int list) && (uint)list < (uint)listCount)
            {
                assigned[row] = list;
                kept++;
            }
            else
            {
                assigned[row] = -1;
                fresh.Add(row);
            }
        }
        foreach (int row in fresh) assigned[row] = index.NearestList(rows.Vector(row));
        index.Fill(rows, assigned, threads);
        added = fresh.Count;
        dropped = filed.Count - kept;
        return index;
    }

    /// <summary>The saved form: centroids and the id → list filing (no vectors, no codes).</summary>
    public float[] Centroids => _centroids;

    public IEnumerable<KeyValuePair<long, int>> Filing => _listOf;

    /// <summary>The list a vector files into: its nearest centroid.</summary>
    public int NearestList(ReadOnlySpan<float> vector)
    {
        int best = 0;
        float bestScore = float.NegativeInfinity;
        for (int k = 0; k < _lists.Length; k++)
        {
            float s = TensorPrimitives.Dot(_centroids.AsSpan(k * Dimension, Dimension), vector);
            if (s > bestScore)
            {
                bestScore = s;
                best = k;
            }
        }
        return best;
    }

    /// <summary>Score of <paramref name="vector"/> against the centroid of <paramref name="list"/>.</summary>
    public float CentroidScore(int list, ReadOnlySpan<float> vector) =>
        TensorPrimitives.Dot(_centroids.AsSpan(list * Dimension, Dimension), vector);

    public bool TryGetList(long id, out int list) => _listOf.TryGetValue(id, out list);

    public bool Contains(long id) => _listOf.ContainsKey(id);

    public void Add(long id, ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimension) throw new ArgumentException($"vector of {vector.Length} floats for a {Dimension}-d index", nameof(vector));
        Remove(id);
        int list = NearestList(vector);
        _lists[list] ??= new InvertedList();
        _lists[list].Append(id, vector, _stride);
        _listOf[id] = list;
    }

    public bool Remove(long id)
    {
        if (!_listOf.Remove(id, out int list)) return false;
        _lists[list].Remove(id, _stride);
        return true;
    }

    public unsafe int Search(ReadOnlySpan<float> probe, Span<AnnHit> best)
    {
        if (probe.Length != Dimension) throw new ArgumentException($"probe of {probe.Length} floats for a {Dimension}-d index", nameof(probe));
        if (best.IsEmpty || Count == 0) return 0;

        int probes = Math.Clamp(Probes, 1, _lists.Length);
        Span<int> chosen = probes <= 256 ? stackalloc int[probes] : new int[probes];
        NearestLists(probe, chosen);

        Span<sbyte> probeCodes = stackalloc sbyte[_stride];
        Span<byte> probeMagnitudes = stackalloc byte[_stride];
        float probeScale = AnnKernels.EncodeProbe(probe, probeCodes, probeMagnitudes);
        var heap = new TopHeap(best);
        fixed (sbyte* p = probeCodes)
        fixed (byte* m = probeMagnitudes)
        {
            foreach (int listIndex in chosen)
            {
                var list = _lists[listIndex];
                if (list is null || list.Count == 0) continue;
                fixed (sbyte* codes = list.Codes)
                {
                    var scales = list.Scales;
                    var ids = list.Ids;
                    for (int row = 0; row < list.Count; row++)
                    {
                        float score = scales[row] * AnnKernels.DotCodes(codes + (long)row * _stride, p, m, _stride);
                        if (score > heap.Floor) heap.Offer(ids[row], score);
                    }
                }
            }
        }
        int found = heap.SortDescending();
        for (int i = 0; i < found; i++) best[i] = best[i] with { Score = best[i].Score * probeScale };
        return found;
    }

    /// <summary>The <c>chosen.Length</c> lists whose centroids score highest against the probe.</summary>
    private void NearestLists(ReadOnlySpan<float> probe, Span<int> chosen)
    {
        float[] scores = ArrayPool<float>.Shared.Rent(chosen.Length);
        try
        {
            int filled = 0;
            for (int k = 0; k < _lists.Length; k++)
            {
                float s = TensorPrimitives.Dot(_centroids.AsSpan(k * Dimension, Dimension), probe);
                if (filled == chosen.Length && s <= scores[filled - 1]) continue;
                int at = filled == chosen.Length ? filled - 1 : filled++;
                while (at > 0 && s > scores[at - 1])
                {
                    scores[at] = scores[at - 1];
                    chosen[at] = chosen[at - 1];
                    at--;
                }
                scores[at] = s;
                chosen[at] = k;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>Files row r into list <paramref name="assigned"/>[r], encoding rows on every core.</summary>
    private void Fill(AnnRows rows, int[] assigned, int threads)
    {
        var counts = new int[_lists.Length];
        foreach (int list in assigned) counts[list]++;
        for (int k = 0; k < _lists.Length; k++) _lists[k] = new InvertedList(counts[k], _stride);
        var position = new int[rows.Count];
        Array.Clear(counts);
        for (int row = 0; row < rows.Count; row++)
        {
            int list = assigned[row];
            position[row] = counts[list]++;
            _listOf[rows.Ids[row]] = list;
        }
        Parallel.For(0, (rows.Count + 4095) / 4096, new ParallelOptions { MaxDegreeOfParallelism = threads }, chunk =>
        {
            int end = Math.Min(rows.Count, (chunk + 1) * 4096);
            for (int row = chunk * 4096; row < end; row++)
                _lists[assigned[row]].Set(position[row], rows.Ids[row], rows.Vector(row), _stride);
        });
        for (int k = 0; k < _lists.Length; k++) _lists[k].Count = counts[k];
    }

    /// <summary>Spherical k-means (centroids kept unit length, so the nearest centroid is the highest dot) on a sample.</summary>
    private static float[] Train(AnnRows rows, int lists, IvfOptions options)
    {
        int dim = rows.Dimension;
        var random = new Random(options.Seed);
        int sampleCount = (int)Math.Min(rows.Count, (long)lists * Math.Max(1, options.SamplePerList));
        var order = new int[rows.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        for (int i = 0; i < sampleCount; i++)
        {
            int j = random.Next(i, order.Length);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var sample = new float[(long)sampleCount * dim];
        for (int i = 0; i < sampleCount; i++) rows.Vector(order[i]).CopyTo(sample.AsSpan(i * dim, dim));

        // The first rows of a random order are a random pick of distinct sample rows.
        var centroids = new float[lists * dim];
        Array.Copy(sample, centroids, (long)lists * dim);

        var assigned = new int[sampleCount];
        int threads = options.ThreadCount;
        for (int iteration = 0; iteration < options.Iterations; iteration++)
        {
            Assign(sample, sampleCount, dim, centroids, lists, assigned, threads);
            var sums = new float[lists * dim];
            var counts = new int[lists];
            for (int i = 0; i < sampleCount; i++)
            {
                TensorPrimitives.Add(sums.AsSpan(assigned[i] * dim, dim), sample.AsSpan(i * dim, dim), sums.AsSpan(assigned[i] * dim, dim));
                counts[assigned[i]]++;
            }
            for (int k = 0; k < lists; k++)
            {
                var centroid = sums.AsSpan(k * dim, dim);
                // An empty list takes a random sample row, so no centroid is wasted.
                if (counts[k] == 0) sample.AsSpan(random.Next(sampleCount) * dim, dim).CopyTo(centroid);
                float norm = TensorPrimitives.Norm(centroid);
                if (norm > 0) TensorPrimitives.Divide(centroid, norm, centroid);
            }
            centroids = sums;
        }
        return centroids;
    }

    /// <summary>Nearest centroid of every row, rows split in chunks over <paramref name="threads"/> threads.</summary>
    private static void Assign(float[] vectors, int count, int dim, float[] centroids, int lists, int[] assigned, int threads)
    {
        const int Chunk = 256;
        Parallel.For(0, (count + Chunk - 1) / Chunk, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => new float[Chunk],
            (chunk, _, score) =>
            {
                int first = chunk * Chunk, n = Math.Min(Chunk, count - first);
                AnnKernels.Nearest(vectors, first, n, dim, centroids, lists, assigned.AsSpan(first, n), score);
                return score;
            },
            _ => { });
    }

    /// <summary>One list: ids, per-row scales and padded int8 codes, in parallel arrays; the order carries no meaning.</summary>
    private sealed class InvertedList
    {
        public long[] Ids;
        public float[] Scales;
        public sbyte[] Codes;
        public int Count;

        public InvertedList(int capacity = 0, int stride = 0)
        {
            Ids = new long[capacity];
            Scales = new float[capacity];
            Codes = new sbyte[(long)capacity * stride];
        }

        public long CapacityBytes(int stride) => (long)Ids.Length * (sizeof(long) + sizeof(float) + stride);

        public void Set(int row, long id, ReadOnlySpan<float> vector, int stride)
        {
            Ids[row] = id;
            Scales[row] = AnnKernels.Encode(vector, Codes.AsSpan(row * stride, stride));
        }

        public void Append(long id, ReadOnlySpan<float> vector, int stride)
        {
            if (Count == Ids.Length)
            {
                int capacity = Math.Max(16, Ids.Length * 2);
                Array.Resize(ref Ids, capacity);
                Array.Resize(ref Scales, capacity);
                Array.Resize(ref Codes, capacity * stride);
            }
            Set(Count++, id, vector, stride);
        }

        public void Remove(long id, int stride)
        {
            int row = Array.IndexOf(Ids, id, 0, Count);
            if (row < 0) return;
            int last = --Count;
            if (row == last) return;
            Ids[row] = Ids[last];
            Scales[row] = Scales[last];
            Codes.AsSpan(last * stride, stride).CopyTo(Codes.AsSpan(row * stride, stride));
        }
    }

    /// <summary>A bounded min-heap over the caller's span: keeps the best <c>span.Length</c> hits seen.</summary>
    private ref struct TopHeap(Span<AnnHit> items)
    {
        private readonly Span<AnnHit> _items = items;
        private int _count;

        /// <summary>The score a new hit must beat once the heap is full.</summary>
        public float Floor { get; private set; } = float.NegativeInfinity;

        public void Offer(long id, float score)
        {
            if (_count < _items.Length)
            {
                int at = _count++;
                _items[at] = new AnnHit(id, score);
                while (at > 0)
                {
                    int parent = (at - 1) / 2;
                    if (_items[parent].Score <= _items[at].Score) break;
                    (_items[parent], _items[at]) = (_items[at], _items[parent]);
                    at = parent;
                }
                if (_count == _items.Length) Floor = _items[0].Score;
                return;
            }
            _items[0] = new AnnHit(id, score);
            int i = 0;
            while (true)
            {
                int left = 2 * i + 1, smallest = i;
                if (left < _count && _items[left].Score < _items[smallest].Score) smallest = left;
                if (left + 1 < _count && _items[left + 1].Score < _items[smallest].Score) smallest = left + 1;
                if (smallest == i) break;
                (_items[smallest], _items[i]) = (_items[i], _items[smallest]);
                i = smallest;
            }
            Floor = _items[0].Score;
        }

        public int SortDescending()
        {
            var filled = _items[.._count];
            filled.Sort(static (a, b) => b.Score.CompareTo(a.Score));
            return _count;
        }
    }
}
