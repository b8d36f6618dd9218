using System.Globalization;
using System.Text.RegularExpressions;
using FaceKit.Core.Errors;

namespace FaceKit.Evaluation.Kisa;

/// <summary>
/// Extended Yale B (cropped) as a lighting protocol: yaleBNN/yaleBNN_P00A±aaaE±ee.pgm, A = azimuth and
/// E = elevation of the light in degrees. A+000E+00 (frontal light) enrols the subject; every other
/// image is a "lighting" probe whose condition is the light's angle from the camera axis,
/// arccos(cos A · cos E), in the bins ≤25°, 25–50°, 50–77°, &gt;77°. The *_Ambient.pgm images (no
/// directed light) fit no bin and are skipped, as is anything not matching the pattern.
/// </summary>
public static partial class YaleB
{
    public const string Category = "lighting";

    /// <summary>Condition labels, in order of increasing angle.</summary>
    public static readonly IReadOnlyList<string> Conditions = ["angle<=25", "25<angle<=50", "50<angle<=77", "angle>77"];

    [GeneratedRegex(@"^(yaleB\d+)_P00A([+-]\d{3})E([+-]\d{2})\.pgm$")]
    private static partial Regex FileName();

    public static ProtocolSet Read(string root)
    {
        if (!Directory.Exists(root)) throw FaceKitException.BadInput($"Yale B folder not found: {root}");
        var images = new List<ProtocolImage>();
        int ambient = 0, other = 0;
        foreach (var file in Directory.EnumerateFiles(root, "*.pgm", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var m = FileName().Match(name);
            if (!m.Success)
            {
                if (name.EndsWith("_Ambient.pgm", StringComparison.Ordinal)) ambient++; else other++;
                continue;
            }
            int azimuth = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            int elevation = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            string subject = m.Groups[1].Value;
            images.Add(azimuth == 0 && elevation == 0
                ? new ProtocolImage(file, subject, ProtocolRole.Enrol, "", "")
                : new ProtocolImage(file, subject, ProtocolRole.Probe, Category, Condition(LightAngle(azimuth, elevation))));
        }
        if (images.Count == 0) throw FaceKitException.BadInput($"{root}: no yaleBNN_P00A±aaaE±ee.pgm images");
        var notes = new List<string>();
        if (ambient > 0) notes.Add($"skipped {ambient} *_Ambient.pgm images (no directed light, no angle)");
        if (other > 0) notes.Add($"skipped {other} .pgm files whose names do not give a light direction");
        return new ProtocolSet(images, root, notes);
    }

    /// <summary>Degrees between the light and the camera axis.</summary>
    public static double LightAngle(double azimuthDegrees, double elevationDegrees)
    {
        double c = Math.Cos(azimuthDegrees * Math.PI / 180) * Math.Cos(elevationDegrees * Math.PI / 180);
        // Rounded so that A±025E+00 is 25° (not 25.000000000000004) and lands in the ≤25° bin.
        return Math.Round(Math.Acos(Math.Clamp(c, -1, 1)) * 180 / Math.PI, 6);
    }

    public static string Condition(double angle) => angle switch
    {
        <= 25 => Conditions[0],
        <= 50 => Conditions[1],
        <= 77 => Conditions[2],
        _ => Conditions[3],
    };
}
