using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceKit.Evaluation.Reporting;

/// <summary>The one JSON shape of every report: snake_case names (stated per property), indented.</summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize<T>(T report) => JsonSerializer.Serialize(report, Options);

    /// <summary>"1e-3" for 0.001: the key style of tpr_at_fpr and fnir_at_fpir.</summary>
    public static string RateKey(double rate)
    {
        double exponent = Math.Log10(rate);
        if (Math.Abs(exponent - Math.Round(exponent)) < 1e-9) return $"1e{(int)Math.Round(exponent)}";
        return rate.ToString("G6", CultureInfo.InvariantCulture);
    }

    /// <summary>JSON has no infinities; a threshold of ±∞ ("accept nothing"/"everything") becomes null.</summary>
    public static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
