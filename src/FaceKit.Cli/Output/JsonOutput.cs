using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceKit.Cli.Output;

/// <summary>The one JSON style of the CLI: snake_case, compact, nulls kept so fields are always present.</summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(TextWriter writer, object value) => writer.WriteLine(JsonSerializer.Serialize(value, Options));
}
