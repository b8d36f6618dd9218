using FaceKit.Core.Errors;
using FaceKit.Evaluation.Identification;

namespace FaceKit.Evaluation.Pairs;

/// <summary>
/// Every pair of images in an identity tree (ROOT/identity/*.jpg): each two images of one person are a genuine
/// pair, each two images of different people an impostor pair. LFW's View 1 has 500 impostor pairs, too few to
/// estimate TPR at FPR 1e-3 or 1e-4; all-vs-all over its 1,549 images gives 983 genuine and ~1.2 M impostor pairs.
/// Pairs are listed genuine first, then impostors, both in ordinal path order, and get balanced contiguous folds.
/// </summary>
public static class AllPairs
{
    /// <summary>Each pair is held in memory with its score (~100 bytes), so 20 M pairs (≈ 6,300 images) is the limit.</summary>
    public const long MaxPairs = 20_000_000;

    public static PairList FromIdentityTree(string root, int folds = LfwPairs.DefaultFolds)
    {
        var identities = IdentityTree.Read(root);
        var images = identities.SelectMany((id, owner) => id.Images.Select(path => (Path: path, Owner: owner))).ToArray();
        long total = (long)images.Length * (images.Length - 1) / 2;
        if (total > MaxPairs)
            throw FaceKitException.BadInput($"{root}: {images.Length} images make {total:N0} pairs, more than {MaxPairs:N0}; evaluate a subset");

        var genuine = new List<ImagePair>();
        var impostor = new List<ImagePair>((int)Math.Min(total, int.MaxValue));
        for (int i = 0; i < images.Length; i++)
            for (int j = i + 1; j < images.Length; j++)
            {
                bool same = images[i].Owner == images[j].Owner;
                (same ? genuine : impostor).Add(new ImagePair(images[i].Path, images[j].Path, same, 0));
            }
        if (genuine.Count == 0) throw FaceKitException.BadInput($"{root}: no identity has two images, so there is no genuine pair");

        var pairs = genuine.Concat(impostor).ToArray();
        var assigned = FoldAssignment.BalancedContiguous(pairs.Select(p => p.Same).ToArray(), folds);
        for (int i = 0; i < pairs.Length; i++) pairs[i] = pairs[i] with { Fold = assigned[i] };
        return new PairList(pairs, folds, FoldOrigin.BalancedContiguous, Path.GetFullPath(root));
    }
}
