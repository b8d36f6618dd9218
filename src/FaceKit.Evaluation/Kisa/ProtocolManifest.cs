using FaceKit.Core.Errors;

namespace FaceKit.Evaluation.Kisa;

/// <summary>
/// "path,subject,role,category,condition" with a header row; role is enrol or probe; paths are relative
/// to the manifest's folder (or absolute).
/// </summary>
public static class ProtocolManifest
{
    public static ProtocolSet Read(string csvFile)
    {
        if (!File.Exists(csvFile)) throw FaceKitException.BadInput($"manifest not found: {csvFile}");
        var lines = File.ReadAllLines(csvFile).Where(l => l.Trim().Length > 0).ToArray();
        if (lines.Length == 0) throw FaceKitException.BadInput($"{csvFile}: empty");
        var header = lines[0].Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray();
        int[] idx = new[] { "path", "subject", "role", "category", "condition" }.Select(n => Array.IndexOf(header, n)).ToArray();
        if (idx.Any(i => i < 0))
            throw FaceKitException.BadInput($"{csvFile}:1: header must be path,subject,role,category,condition, got \"{lines[0]}\"");
        var dir = Path.GetDirectoryName(Path.GetFullPath(csvFile))!;
        var images = new List<ProtocolImage>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',').Select(x => x.Trim()).ToArray();
            if (f.Length < header.Length) throw FaceKitException.BadInput($"{csvFile}:{i + 1}: expected {header.Length} fields");
            var role = f[idx[2]].ToLowerInvariant() switch
            {
                "enrol" or "enroll" or "enrolment" or "enrollment" => ProtocolRole.Enrol,
                "probe" => ProtocolRole.Probe,
                _ => throw FaceKitException.BadInput($"{csvFile}:{i + 1}: role must be enrol or probe, got \"{f[idx[2]]}\""),
            };
            if (role == ProtocolRole.Probe && (f[idx[3]].Length == 0 || f[idx[4]].Length == 0))
                throw FaceKitException.BadInput($"{csvFile}:{i + 1}: a probe needs a category and a condition");
            images.Add(new ProtocolImage(Path.Combine(dir, f[idx[0]]), f[idx[1]], role, f[idx[3]], f[idx[4]]));
        }
        return new ProtocolSet(images, csvFile, []);
    }
}
