using System.Globalization;
using FaceKit.Core.Errors;

namespace FaceKit.Evaluation.Pairs;

/// <summary>
/// "img_a,img_b,same[,fold]" with a header row; same is 1/0 or true/false. Paths are relative to
/// <c>imagesRoot</c> when given, else to the CSV's folder or, when the first image is not there, to its
/// images/ subfolder (the layout of shared/data/unit and photos). Without a fold column the pairs get
/// 10 balanced folds (<see cref="FoldOrigin.BalancedContiguous"/>).
/// </summary>
public static class CsvPairs
{
    public static PairList Read(string csvFile, string? imagesRoot = null, int folds = LfwPairs.DefaultFolds)
    {
        if (!File.Exists(csvFile)) throw FaceKitException.BadInput($"pairs file not found: {csvFile}");
        var lines = File.ReadAllLines(csvFile).Where(l => l.Trim().Length > 0).ToArray();
        if (lines.Length < 2) throw FaceKitException.BadInput($"{csvFile}: no pairs");
        var header = lines[0].Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray();
        int ia = Array.IndexOf(header, "img_a"), ib = Array.IndexOf(header, "img_b"), isame = Array.IndexOf(header, "same");
        int ifold = Array.IndexOf(header, "fold");
        if (ia < 0 || ib < 0 || isame < 0)
            throw FaceKitException.BadInput($"{csvFile}:1: header must name img_a, img_b and same, got \"{lines[0]}\"");

        var rows = new List<(string A, string B, bool Same, int Fold)>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',').Select(x => x.Trim()).ToArray();
            if (f.Length < header.Length) throw FaceKitException.BadInput($"{csvFile}:{i + 1}: expected {header.Length} fields");
            bool same = f[isame] switch
            {
                "1" or "true" or "True" or "TRUE" => true,
                "0" or "false" or "False" or "FALSE" => false,
                _ => throw FaceKitException.BadInput($"{csvFile}:{i + 1}: same must be 1/0/true/false, got \"{f[isame]}\""),
            };
            int fold = 0;
            if (ifold >= 0 && !int.TryParse(f[ifold], NumberStyles.Integer, CultureInfo.InvariantCulture, out fold))
                throw FaceKitException.BadInput($"{csvFile}:{i + 1}: bad fold \"{f[ifold]}\"");
            rows.Add((f[ia], f[ib], same, fold));
        }

        string root = imagesRoot ?? ResolveRoot(csvFile, rows[0].A);
        var pairs = rows.Select(r => new ImagePair(Path.Combine(root, r.A), Path.Combine(root, r.B), r.Same, r.Fold)).ToArray();
        if (ifold >= 0) return new PairList(pairs, pairs.Select(p => p.Fold).Distinct().Count(), FoldOrigin.File, csvFile);
        var assigned = FoldAssignment.BalancedContiguous(pairs.Select(p => p.Same).ToArray(), folds);
        return new PairList(pairs.Select((p, i) => p with { Fold = assigned[i] }).ToArray(), folds, FoldOrigin.BalancedContiguous, csvFile);
    }

    private static string ResolveRoot(string csvFile, string firstImage)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(csvFile))!;
        if (File.Exists(Path.Combine(dir, firstImage))) return dir;
        var images = Path.Combine(dir, "images");
        if (File.Exists(Path.Combine(images, firstImage))) return images;
        throw FaceKitException.BadInput($"{csvFile}: cannot find {firstImage} beside the CSV or in its images/ folder");
    }
}
