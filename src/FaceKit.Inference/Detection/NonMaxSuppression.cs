using FaceKit.Core.Geometry;

namespace FaceKit.Inference.Detection;

/// <summary>Greedy score-ordered non-maximum suppression.</summary>
public static class NonMaxSuppression
{
    /// <summary>Keeps the best box of every cluster whose IoU exceeds <paramref name="iouThreshold"/>.</summary>
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
                if (!suppressed[j] && candidates[i].Box.IoU(candidates[j].Box) > iouThreshold) suppressed[j] = true;
        }
        return kept;
    }
}
