using System.Buffers;
using System.Numerics.Tensors;
using FaceKit.Gallery.Search.Ann;

namespace FaceKit.Gallery.Search;

/// <summary>
/// Every template of a gallery in memory, row-major in one contiguous array, with the owning
/// subject of each row, so exact search is a pass of SIMD dot products (over an int8 copy first
/// where the CPU allows, see <see cref="QuantizedRows"/>). Not thread-safe.
/// </summary>
internal sealed class TemplateMatrix
{
    private float[] _vectors = [];
    private long[] _templateIds = [];
    private int[] _rowSlot = [];
    private readonly Dictionary<long, int> _rowOfTemplate = [];
    private readonly QuantizedRows? _quantized = QuantizedRows.Supported ? new() : null;

    // Subjects are numbered densely ("slots") so per-subject aggregation indexes an array
    // instead of hashing a subject id for every row.
    private readonly Dictionary<long, int> _slotOfSubject = [];
    private readonly Stack<int> _freeSlots = new();
    private long[] _slotSubjectId = [];
    private string[] _slotName = [];
    private int[] _slotRows = [];
    private int _slotCount;

    public int Dimension { get; private set; }

    public int Count { get; private set; }

    /// <summary>Empties the matrix and fixes the row width; capacity is a hint.</summary>
    public void Reset(int dimension, int capacity = 0)
    {
        Dimension = dimension;
        Count = 0;
        _vectors = new float[(long)capacity * dimension];
        _templateIds = new long[capacity];
        _rowSlot = new int[capacity];
        _rowOfTemplate.Clear();
        _rowOfTemplate.EnsureCapacity(capacity);
        _quantized?.Reset(dimension, capacity);
        _slotOfSubject.Clear();
        _freeSlots.Clear();
        _slotSubjectId = [];
        _slotName = [];
        _slotRows = [];
        _slotCount = 0;
    }

    public void Add(long templateId, long subjectId, string subjectName, ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimension)
            throw new ArgumentException($"row of {vector.Length} floats in a {Dimension}-wide matrix", nameof(vector));
        if (Count == _templateIds.Length) Grow();

        int slot = SlotFor(subjectId, subjectName);
        vector.CopyTo(_vectors.AsSpan(Count * Dimension, Dimension));
        _templateIds[Count] = templateId;
        _rowSlot[Count] = slot;
        _rowOfTemplate[templateId] = Count;
        _quantized?.Set(Count, vector);
        _slotRows[slot]++;
        Count++;
    }

    /// <summary>Removes one template; false when it is not held.</summary>
    public bool RemoveTemplate(long templateId)
    {
        if (!_rowOfTemplate.TryGetValue(templateId, out int row)) return false;
        RemoveRow(row);
        return true;
    }

    /// <summary>Removes every template of a subject; returns their ids (empty when the subject is not held).</summary>
    public List<long> RemoveSubject(long subjectId)
    {
        var removed = new List<long>();
        if (!_slotOfSubject.TryGetValue(subjectId, out int slot)) return removed;
        for (int row = Count - 1; row >= 0; row--)
        {
            if (_rowSlot[row] != slot) continue;
            removed.Add(_templateIds[row]);
            RemoveRow(row);
        }
        return removed;
    }

    public bool ContainsTemplate(long templateId) => _rowOfTemplate.ContainsKey(templateId);

    /// <summary>Largest template id held; 0 when empty.</summary>
    public long MaxTemplateId()
    {
        long max = 0;
        for (int row = 0; row < Count; row++) max = Math.Max(max, _templateIds[row]);
        return max;
    }

    /// <summary>The rows as they are now, for an ANN index to read (valid until the next change).</summary>
    public AnnRows Rows => new(_vectors, _templateIds, Count, Dimension);

    /// <summary>
    /// As <see cref="Search"/>, but scoring only the candidate templates an ANN index proposed, in
    /// float: a subject's similarity is its best candidate's exact cosine. Ids no longer held are skipped.
    /// </summary>
    public GalleryMatch[] SearchCandidates(ReadOnlySpan<float> probe, ReadOnlySpan<AnnHit> candidates, int topK)
    {
        if (probe.Length != Dimension)
            throw new ArgumentException($"probe of {probe.Length} floats for a {Dimension}-wide matrix", nameof(probe));
        if (topK <= 0) return [];
        var best = new Dictionary<int, (float Similarity, int Row)>(candidates.Length);
        foreach (var candidate in candidates)
        {
            if (!_rowOfTemplate.TryGetValue(candidate.Id, out int row)) continue;
            float similarity = TensorPrimitives.Dot(_vectors.AsSpan(row * Dimension, Dimension), probe);
            int slot = _rowSlot[row];
            if (!best.TryGetValue(slot, out var current) || similarity > current.Similarity) best[slot] = (similarity, row);
        }
        var matches = new GalleryMatch[best.Count];
        int i = 0;
        foreach (var (slot, (similarity, row)) in best)
            matches[i++] = new GalleryMatch(_slotSubjectId[slot], _slotName[slot], similarity, _templateIds[row]);
        Array.Sort(matches, static (a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
        return matches.Length <= topK ? matches : matches[..topK];
    }

    public void RenameSubject(long subjectId, string newName)
    {
        if (_slotOfSubject.TryGetValue(subjectId, out int slot)) _slotName[slot] = newName;
    }

    /// <summary>
    /// Per-subject maximum of the dot product with <paramref name="probe"/>, top <paramref name="topK"/>
    /// subjects best first; ties go to the lower subject id so answers are reproducible.
    /// <paramref name="floatScanOnly"/> skips the int8 pre-scan (the answer is the same; tests compare).
    /// </summary>
    public GalleryMatch[] Search(ReadOnlySpan<float> probe, int topK, bool floatScanOnly = false)
    {
        if (probe.Length != Dimension)
            throw new ArgumentException($"probe of {probe.Length} floats for a {Dimension}-wide matrix", nameof(probe));
        if (Count == 0 || topK <= 0) return [];

        float[] best = ArrayPool<float>.Shared.Rent(_slotCount);
        int[] bestRow = ArrayPool<int>.Shared.Rent(_slotCount);
        try
        {
            best.AsSpan(0, _slotCount).Fill(float.NegativeInfinity);
            if (_quantized is null || floatScanOnly) ScoreAllRows(probe, best, bestRow);
            else ScoreLikelyRows(_quantized, probe, topK, best, bestRow);
            return SelectTop(best, bestRow, topK);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(best);
            ArrayPool<int>.Shared.Return(bestRow);
        }
    }

    private void ScoreAllRows(ReadOnlySpan<float> probe, float[] best, int[] bestRow)
    {
        int dim = Dimension;
        ReadOnlySpan<float> vectors = _vectors.AsSpan(0, Count * dim);
        ReadOnlySpan<int> rowSlot = _rowSlot.AsSpan(0, Count);
        for (int row = 0; row < rowSlot.Length; row++)
        {
            float similarity = TensorPrimitives.Dot(vectors.Slice(row * dim, dim), probe);
            int slot = rowSlot[row];
            if (similarity > best[slot])
            {
                best[slot] = similarity;
                bestRow[slot] = row;
            }
        }
    }

    /// <summary>
    /// Float scores only for rows that can still be a top-k subject's best row: k subjects score at
    /// least the k-th largest per-subject lower bound, and a subject's best row reaches at least its
    /// own largest lower bound, so a row whose upper bound is below either cannot matter.
    /// </summary>
    private void ScoreLikelyRows(QuantizedRows quantized, ReadOnlySpan<float> probe, int topK, float[] best, int[] bestRow)
    {
        float[] lower = ArrayPool<float>.Shared.Rent(Count);
        float[] upper = ArrayPool<float>.Shared.Rent(Count);
        float[] subjectFloor = ArrayPool<float>.Shared.Rent(_slotCount);
        try
        {
            quantized.Bounds(probe, Count, lower, upper);
            subjectFloor.AsSpan(0, _slotCount).Fill(float.NegativeInfinity);
            ReadOnlySpan<int> rowSlot = _rowSlot.AsSpan(0, Count);
            for (int row = 0; row < rowSlot.Length; row++)
                subjectFloor[rowSlot[row]] = MathF.Max(subjectFloor[rowSlot[row]], lower[row]);
            float cut = KthLargestLiveFloor(subjectFloor, topK);

            int dim = Dimension;
            for (int row = 0; row < rowSlot.Length; row++)
            {
                int slot = rowSlot[row];
                if (upper[row] < cut || upper[row] < subjectFloor[slot]) continue;
                float similarity = TensorPrimitives.Dot(_vectors.AsSpan(row * dim, dim), probe);
                if (similarity > best[slot])
                {
                    best[slot] = similarity;
                    bestRow[slot] = row;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(lower);
            ArrayPool<float>.Shared.Return(upper);
            ArrayPool<float>.Shared.Return(subjectFloor);
        }
    }

    /// <summary>The k-th largest value over subjects that hold rows; −∞ when there are fewer than k.</summary>
    private float KthLargestLiveFloor(float[] subjectFloor, int k)
    {
        if (k > _slotCount - _freeSlots.Count) return float.NegativeInfinity;
        float[] top = ArrayPool<float>.Shared.Rent(k);
        try
        {
            int filled = 0;
            for (int slot = 0; slot < _slotCount; slot++)
            {
                if (_slotRows[slot] == 0) continue;
                float value = subjectFloor[slot];
                if (filled == k && value <= top[k - 1]) continue;
                int at = filled == k ? k - 1 : filled++;
                while (at > 0 && value > top[at - 1])
                {
                    top[at] = top[at - 1];
                    at--;
                }
                top[at] = value;
            }
            return top[k - 1];
        }
        finally
        {
            ArrayPool<float>.Shared.Return(top);
        }
    }

    private GalleryMatch[] SelectTop(float[] best, int[] bestRow, int topK)
    {
        int scored = 0;
        for (int slot = 0; slot < _slotCount; slot++)
            if (!float.IsNegativeInfinity(best[slot])) scored++;
        var top = new GalleryMatch[Math.Min(topK, scored)];
        int filled = 0;
        for (int slot = 0; slot < _slotCount; slot++)
        {
            // Subjects the pre-scan ruled out were never scored.
            if (_slotRows[slot] == 0 || float.IsNegativeInfinity(best[slot])) continue;
            var candidate = new GalleryMatch(_slotSubjectId[slot], _slotName[slot], best[slot], _templateIds[bestRow[slot]]);
            if (filled == top.Length && !Better(candidate, top[filled - 1])) continue;

            // Insertion into a short sorted buffer: k is small next to the number of subjects.
            int at = filled == top.Length ? filled - 1 : filled++;
            while (at > 0 && Better(candidate, top[at - 1]))
            {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = candidate;
        }
        return top;
    }

    private static bool Better(in GalleryMatch a, in GalleryMatch b) =>
        a.Similarity > b.Similarity || (a.Similarity == b.Similarity && a.SubjectId < b.SubjectId);

    private int SlotFor(long subjectId, string subjectName)
    {
        if (_slotOfSubject.TryGetValue(subjectId, out int slot)) return slot;
        if (!_freeSlots.TryPop(out slot))
        {
            if (_slotCount == _slotRows.Length)
            {
                int capacity = Math.Max(16, _slotRows.Length * 2);
                Array.Resize(ref _slotSubjectId, capacity);
                Array.Resize(ref _slotName, capacity);
                Array.Resize(ref _slotRows, capacity);
            }
            slot = _slotCount++;
        }
        _slotOfSubject[subjectId] = slot;
        _slotSubjectId[slot] = subjectId;
        _slotName[slot] = subjectName;
        _slotRows[slot] = 0;
        return slot;
    }

    // Order of rows carries no meaning, so the last row fills the hole.
    private void RemoveRow(int row)
    {
        int last = Count - 1;
        int slot = _rowSlot[row];
        _rowOfTemplate.Remove(_templateIds[row]);
        if (row != last)
        {
            _vectors.AsSpan(last * Dimension, Dimension).CopyTo(_vectors.AsSpan(row * Dimension, Dimension));
            _templateIds[row] = _templateIds[last];
            _rowOfTemplate[_templateIds[row]] = row;
            _rowSlot[row] = _rowSlot[last];
            _quantized?.Move(last, row);
        }
        Count = last;
        if (--_slotRows[slot] == 0)
        {
            _slotOfSubject.Remove(_slotSubjectId[slot]);
            _slotName[slot] = null!;
            _freeSlots.Push(slot);
        }
    }

    private void Grow()
    {
        int capacity = Math.Max(64, _templateIds.Length * 2);
        Array.Resize(ref _vectors, capacity * Dimension);
        Array.Resize(ref _templateIds, capacity);
        Array.Resize(ref _rowSlot, capacity);
        _quantized?.Grow(capacity);
    }
}
