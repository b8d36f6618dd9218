namespace FaceKit.Gallery.Search.Ann;

/// <summary>One candidate from an approximate search: a template id and its approximate cosine.</summary>
internal readonly record struct AnnHit(long Id, float Score);

/// <summary>
/// Rows to index, borrowed from their owner (a <see cref="TemplateMatrix"/>): row r is
/// <c>Vectors[r*Dimension .. (r+1)*Dimension)</c> with template id <c>Ids[r]</c>. Unit-length rows.
/// </summary>
internal readonly record struct AnnRows(float[] Vectors, long[] Ids, int Count, int Dimension)
{
    public ReadOnlySpan<float> Vector(int row) => Vectors.AsSpan(row * Dimension, Dimension);
}

/// <summary>
/// An approximate nearest-neighbour index over template ids (inner product of unit vectors). It
/// returns candidates only: callers rescore them exactly and map templates to subjects, so an
/// approximate score never reaches a user. Not thread-safe; the gallery serialises calls.
/// </summary>
internal interface IAnnIndex
{
    /// <summary>"ivf" (the one implementation shipped; see the README note on USearch).</summary>
    string Kind { get; }

    int Dimension { get; }

    int Count { get; }

    bool Contains(long id);

    /// <summary>Adds one unit vector; an id already held is replaced.</summary>
    void Add(long id, ReadOnlySpan<float> vector);

    /// <summary>False when the id is not held.</summary>
    bool Remove(long id);

    /// <summary>Up to <c>best.Length</c> candidates, best first; returns how many were written.</summary>
    int Search(ReadOnlySpan<float> probe, Span<AnnHit> best);
}
