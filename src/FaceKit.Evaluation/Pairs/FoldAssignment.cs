namespace FaceKit.Evaluation.Pairs;

public static class FoldAssignment
{
    /// <summary>
    /// Fold of each pair: the i-th of n same pairs goes to fold ⌊i·k/n⌋, and likewise for different pairs,
    /// so every fold gets an equal share of each. Contiguous blocks rather than round-robin because pair
    /// files list one person's pairs together: blocks keep a person in few folds, as LFW View 2 does.
    /// </summary>
    public static int[] BalancedContiguous(IReadOnlyList<bool> same, int folds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        int nSame = same.Count(s => s), nDiff = same.Count - nSame;
        var result = new int[same.Count];
        int iSame = 0, iDiff = 0;
        for (int i = 0; i < same.Count; i++)
            result[i] = same[i]
                ? (int)((long)iSame++ * folds / nSame)
                : (int)((long)iDiff++ * folds / nDiff);
        return result;
    }
}
