using FaceKit.Core.Geometry;

namespace FaceKit.Inference.Detection;

/// <summary>Greedy score-ordered non-maximum suppression.</summary>
public static class NonMaxSuppression
{
    /// <summary>
    /// Keeps the best box of every cluster whose IoU exceeds <paramref name="iouThreshold"/>. A box mostly
    /// inside a better one is dropped too: a tile cut through a face yields half a face inside the whole one,
    /// and their IoU is low only because the half is small.
    /// </summary>
    public static List<FaceBox> Apply(List<FaceBox> candidates, float iouThreshold, int topK = int.MaxValue)
    {
        candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
        if (candidates.Count > topK) candidates.RemoveRange(topK, candidates.Count - topK);
        var kept = new List<FaceBox>();
        var suppressed = new bool[candidates.Count];
        for (int i = 0; i < candidates.Count; i++)
        {
            if (suppressed[i]) continue;
            kept.Add(candidates[i]);
            for (int j = i + 1; j < candidates.Count; j++)
                if (!suppressed[j] && Overlaps(candidates[i].Box, candidates[j].Box, iouThreshold)) suppressed[j] = true;
        }
        return kept;
    }

    private const float ContainedFraction = 0.7f;

    private static bool Overlaps(in BoxF a, in BoxF b, float iouThreshold) =>
        a.IoU(b) > iouThreshold || a.Intersection(b) > ContainedFraction * MathF.Min(a.Area, b.Area);
}
