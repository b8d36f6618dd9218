using FaceKit.Testing;

namespace FaceKit.Cli.Tests.Infrastructure;

/// <summary>../shared/data/unit: 10 LFW people × 3 photos, the labelled person centred in each.</summary>
public static class UnitFaces
{
    public static IReadOnlyList<string> People =>
        Directory.GetDirectories(SharedData.Path("unit", "images")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    /// <summary>unit/images/NAME/NAME_000N.jpg</summary>
    public static string Photo(string person, int n) => SharedData.Path("unit", "images", person, $"{person}_{n:D4}.jpg");

    public static IEnumerable<string> AllPhotos =>
        People.SelectMany(p => Directory.GetFiles(SharedData.Path("unit", "images", p), "*.jpg").Order(StringComparer.Ordinal));

    /// <summary>(img_a, img_b, same) rows of unit/pairs.csv, paths made absolute.</summary>
    public static IReadOnlyList<(string A, string B, bool Same)> Pairs =>
        File.ReadLines(SharedData.Path("unit", "pairs.csv")).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(','))
            .Select(c => (SharedData.Path("unit", "images", c[0]), SharedData.Path("unit", "images", c[1]), c[2].Trim() == "1"))
            .ToList();
}
