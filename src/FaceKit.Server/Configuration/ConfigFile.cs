using System.Text.Json;
using System.Text.Json.Serialization;
using FaceKit.Core.Errors;

namespace FaceKit.Server.Configuration;

/// <summary>Reads and writes the JSON config file; a missing file is the defaults, a broken one is bad input.</summary>
public sealed class ConfigFile(string path)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly Lock _gate = new();

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public ServerConfig Load()
    {
        lock (_gate)
        {
            if (!File.Exists(Path)) return new ServerConfig();
            try
            {
                return JsonSerializer.Deserialize<ServerConfig>(File.ReadAllText(Path), Json) ?? new ServerConfig();
            }
            catch (JsonException e)
            {
                throw FaceKitException.BadInput($"{Path}: not a valid config file ({e.Message})");
            }
        }
    }

    public void Save(ServerConfig config)
    {
        lock (_gate)
        {
            var dir = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            // Written beside and moved over, so a crash mid-write never leaves half a file.
            var temp = Path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(config, Json));
            File.Move(temp, Path, overwrite: true);
        }
    }
}
