using System.Globalization;
using FaceKit.Core.Errors;

namespace FaceKit.Evaluation.Detection;

/// <summary>
/// Reads expected face counts, a CSV with the header <c>image,min,max</c>: the image path relative to the
/// survey root, the fewest faces a detector must find and the most that are really there (a blurred
/// background person is a face a detector may or may not find).
/// </summary>
public static class FaceCountManifest
{
    public static IReadOnlyDictionary<string, FaceCountExpectation> Read(string path)
    {
        if (!File.Exists(path)) throw FaceKitException.BadInput($"face-count file not found: {path}");
        var result = new Dictionary<string, FaceCountExpectation>(StringComparer.Ordinal);
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != "image,min,max")
            throw FaceKitException.BadInput($"{path}: the first line must be the header image,min,max");
        for (int i = 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var cells = line.Split(',');
            if (cells.Length != 3
                || !int.TryParse(cells[1], NumberStyles.None, CultureInfo.InvariantCulture, out int min)
                || !int.TryParse(cells[2], NumberStyles.None, CultureInfo.InvariantCulture, out int max)
                || max < min)
                throw FaceKitException.BadInput($"{path} line {i + 1}: expected image,min,max with 0 <= min <= max");
            result[Normalise(cells[0])] = new FaceCountExpectation(min, max);
        }
        return result;
    }

    internal static string Normalise(string relativePath) => relativePath.Trim().Replace('\\', '/');
}
