namespace FaceKit.Evaluation.Pairs;

/// <summary>Two image files, whether they show the same person, and the fold the pair belongs to.</summary>
public sealed record ImagePair(string PathA, string PathB, bool Same, int Fold);

/// <summary>Where the folds of a pair list came from.</summary>
public enum FoldOrigin
{
    /// <summary>The file defines them (LFW View 2 "folds count" header, or a CSV fold column).</summary>
    File,
    /// <summary>
    /// Assigned by <see cref="FoldAssignment.BalancedContiguous"/>: same pairs and different pairs are each
    /// cut, in file order, into k contiguous blocks of (near) equal size.
    /// </summary>
    BalancedContiguous,
}

public sealed record PairList(IReadOnlyList<ImagePair> Pairs, int FoldCount, FoldOrigin FoldOrigin, string Source)
{
    public int GenuineCount => Pairs.Count(p => p.Same);
    public int ImpostorCount => Pairs.Count(p => !p.Same);

    public IReadOnlyList<string> DistinctImages() =>
        Pairs.SelectMany(p => new[] { p.PathA, p.PathB }).Distinct(StringComparer.Ordinal).ToArray();
}
