using FaceKit.Core.Embeddings;
using FaceKit.Gallery;

namespace FaceKit.Video.Processing;

/// <summary>
/// The last few recognition results of one track. Each keeps its embedding and its best gallery match
/// before thresholding, so a threshold change applies at once and a gallery change only needs a re-search,
/// not a new embedding.
/// </summary>
internal sealed class IdentityVotes(int capacity)
{
    private readonly Queue<(Embedding Embedding, GalleryMatch? Match, bool Searchable)> _votes = new();

    public long LastChecked { get; set; } = long.MinValue;

    public int Count => _votes.Count;

    public IReadOnlyList<Embedding> Embeddings => _votes.Select(v => v.Embedding).ToList();

    /// <summary>
    /// Adds a result. When the face no longer looks like the track's latest sample (a cut to another scene put
    /// a different person where the box was), the old votes are dropped instead of outvoting the new face.
    /// </summary>
    /// <param name="searchable">false for a sample that must stay unknown (it failed the liveness check), even after a re-search</param>
    public void Add(Embedding embedding, GalleryMatch? match, float samePersonSimilarity, bool searchable = true)
    {
        if (_votes.Count > 0 && _votes.Last().Embedding.Similarity(embedding) < samePersonSimilarity) _votes.Clear();
        _votes.Enqueue((embedding, searchable ? match : null, searchable));
        while (_votes.Count > capacity) _votes.Dequeue();
    }

    public void Research(Func<Embedding, GalleryMatch?> identify)
    {
        var all = _votes.ToList();
        _votes.Clear();
        foreach (var (e, _, searchable) in all) _votes.Enqueue((e, searchable ? identify(e) : null, searchable));
    }

    /// <summary>The majority name at this threshold (null = unknown) with its mean similarity, and the best candidate.</summary>
    public (string? Name, float Similarity, string? BestName, float BestSimilarity) Decide(float threshold)
    {
        string? bestName = null;
        float bestSimilarity = 0;
        var tally = new Dictionary<string, (int Count, float Sum)>();
        int unknown = 0;
        foreach (var (_, match, _) in _votes)
        {
            if (match is { } m && (bestName is null || m.Similarity > bestSimilarity)) (bestName, bestSimilarity) = (m.Name, m.Similarity);
            if (match is { } hit && hit.Similarity >= threshold)
            {
                tally.TryGetValue(hit.Name, out var t);
                tally[hit.Name] = (t.Count + 1, t.Sum + hit.Similarity);
            }
            else unknown++;
        }
        var winner = tally.OrderByDescending(kv => kv.Value.Count).ThenByDescending(kv => kv.Value.Sum).FirstOrDefault();
        if (winner.Key is null || winner.Value.Count < unknown) return (null, 0, bestName, bestSimilarity);
        return (winner.Key, winner.Value.Sum / winner.Value.Count, bestName, bestSimilarity);
    }
}
