using FaceKit.Core.Errors;

namespace FaceKit.Evaluation.Kisa;

/// <summary>The four factors of a K-Face image and the values that make the neutral (enrolment) shot.</summary>
public sealed record KFaceOptions
{
    public string NeutralAccessory { get; init; } = "S001";
    public string NeutralLighting { get; init; } = "L1";
    public string NeutralExpression { get; init; } = "E01";
    /// <summary>C7 is the frontal camera.</summary>
    public string NeutralPose { get; init; } = "C7";
    /// <summary>Only this resolution folder (e.g. "High"); null = all, a subject then enrolling with one neutral image per resolution.</summary>
    public string? Resolution { get; init; }
}

/// <summary>
/// The K-Face layout resolution/ID/accessory/lighting/expression/pose.ext. The neutral shot (S001, L1,
/// E01, C7 by default) enrols the subject; an image that differs from it in exactly one factor is a probe
/// of that factor's category ("accessory", "lighting", "expression", "pose") with the differing code as
/// its condition. Images that differ in two or more factors test no single factor and are skipped.
/// </summary>
public static class KFace
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp"];

    public static ProtocolSet Read(string root, KFaceOptions? options = null)
    {
        options ??= new KFaceOptions();
        if (!Directory.Exists(root)) throw FaceKitException.BadInput($"K-Face folder not found: {root}");
        var images = new List<ProtocolImage>();
        int multiFactor = 0, otherLayout = 0;
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!Extensions.Contains(Path.GetExtension(file).ToLowerInvariant())) continue;
            var parts = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar);
            if (parts.Length != 6) { otherLayout++; continue; }
            var (resolution, id, accessory, lighting, expression) = (parts[0], parts[1], parts[2], parts[3], parts[4]);
            var pose = Path.GetFileNameWithoutExtension(parts[5]);
            if (options.Resolution is { } r && !string.Equals(r, resolution, StringComparison.OrdinalIgnoreCase)) continue;
            var differing = new List<(string Category, string Code)>(4);
            if (accessory != options.NeutralAccessory) differing.Add(("accessory", accessory));
            if (lighting != options.NeutralLighting) differing.Add(("lighting", lighting));
            if (expression != options.NeutralExpression) differing.Add(("expression", expression));
            if (pose != options.NeutralPose) differing.Add(("pose", pose));
            switch (differing.Count)
            {
                case 0: images.Add(new ProtocolImage(file, id, ProtocolRole.Enrol, "", "")); break;
                case 1: images.Add(new ProtocolImage(file, id, ProtocolRole.Probe, differing[0].Category, differing[0].Code)); break;
                default: multiFactor++; break;
            }
        }
        if (images.Count == 0) throw FaceKitException.BadInput($"{root}: no images in the K-Face layout resolution/ID/accessory/lighting/expression/pose.jpg");
        var notes = new List<string>();
        if (multiFactor > 0) notes.Add($"skipped {multiFactor} images that differ from the neutral shot in more than one factor");
        if (otherLayout > 0) notes.Add($"skipped {otherLayout} images outside the resolution/ID/accessory/lighting/expression/pose layout");
        return new ProtocolSet(images, root, notes);
    }
}
