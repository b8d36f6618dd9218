using System.Globalization;
using FaceKit.Core.Errors;

namespace FaceKit.Evaluation.Pairs;

/// <summary>
/// The official LFW pairs format. Header "N" (View 1, e.g. pairsDevTest.txt): N same pairs then N
/// different pairs, given 10 balanced folds (<see cref="FoldOrigin.BalancedContiguous"/>). Header
/// "F N" (View 2, pairs.txt): F folds, each N same then N different. Lines: "name i j" (same) or
/// "name1 i name2 j" (different); image = ROOT/name/name_000i.jpg (4-digit index).
/// </summary>
public static class LfwPairs
{
    public const int DefaultFolds = 10;

    public static PairList Read(string pairsFile, string imagesRoot, string extension = ".jpg")
    {
        if (!File.Exists(pairsFile)) throw FaceKitException.BadInput($"pairs file not found: {pairsFile}");
        var lines = File.ReadAllLines(pairsFile).Where(l => l.Trim().Length > 0).ToArray();
        if (lines.Length == 0) throw FaceKitException.BadInput($"{pairsFile}: empty");
        var header = Fields(lines[0]);
        int folds, perBlock;
        if (header.Length == 1 && int.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out perBlock))
            folds = 1;
        else if (header.Length == 2 && int.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out folds)
                 && int.TryParse(header[1], NumberStyles.None, CultureInfo.InvariantCulture, out perBlock))
        { }
        else throw FaceKitException.BadInput($"{pairsFile}:1: expected \"N\" or \"folds N\", got \"{lines[0]}\"");

        int expected = folds * perBlock * 2;
        if (lines.Length - 1 != expected)
            throw FaceKitException.BadInput($"{pairsFile}: header promises {expected} pairs, file has {lines.Length - 1}");

        var pairs = new List<ImagePair>(expected);
        for (int i = 0; i < expected; i++)
        {
            int lineNo = i + 2;
            bool same = i % (2 * perBlock) < perBlock;
            var f = Fields(lines[i + 1]);
            (string a, string b) = (same, f.Length) switch
            {
                (true, 3) => (ImagePath(imagesRoot, f[0], f[1], extension, pairsFile, lineNo), ImagePath(imagesRoot, f[0], f[2], extension, pairsFile, lineNo)),
                (false, 4) => (ImagePath(imagesRoot, f[0], f[1], extension, pairsFile, lineNo), ImagePath(imagesRoot, f[2], f[3], extension, pairsFile, lineNo)),
                _ => throw FaceKitException.BadInput(
                    $"{pairsFile}:{lineNo}: expected a {(same ? "same pair \"name i j\"" : "different pair \"name1 i name2 j\"")}, got \"{lines[i + 1]}\""),
            };
            pairs.Add(new ImagePair(a, b, same, folds == 1 ? 0 : i / (2 * perBlock)));
        }

        if (folds > 1) return new PairList(pairs, folds, FoldOrigin.File, pairsFile);
        var assigned = FoldAssignment.BalancedContiguous(pairs.Select(p => p.Same).ToArray(), DefaultFolds);
        return new PairList(pairs.Select((p, i) => p with { Fold = assigned[i] }).ToArray(), DefaultFolds, FoldOrigin.BalancedContiguous, pairsFile);
    }

    private static string[] Fields(string line) => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static string ImagePath(string root, string name, string index, string extension, string file, int line)
    {
        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int i))
            throw FaceKitException.BadInput($"{file}:{line}: bad image index \"{index}\"");
        return Path.Combine(root, name, $"{name}_{i:D4}{extension}");
    }
}
