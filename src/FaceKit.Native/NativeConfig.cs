using System.Text.Json;
using FaceKit.Inference;
using FaceKit.Inference.Runtime;

namespace FaceKit.Native;

/// <summary>
/// fk_init's argument: a model folder, or a JSON file naming one plus pipeline choices. Read with
/// JsonDocument (no reflection), so it works in the NativeAOT library.
/// </summary>
internal static class NativeConfig
{
    public static PipelineOptions Read(string configOrModelDir)
    {
        if (Directory.Exists(configOrModelDir)) return new PipelineOptions { ModelDirectory = Path.GetFullPath(configOrModelDir) };
        if (!File.Exists(configOrModelDir))
            throw new NativeError(Status.ModelMissing, $"{configOrModelDir}: no such model folder or configuration file");

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(configOrModelDir), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new NativeError(Status.Config, $"{configOrModelDir}: cannot read configuration ({e.Message})");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Config(configOrModelDir, "the configuration must be a JSON object");
            string baseDir = Path.GetDirectoryName(Path.GetFullPath(configOrModelDir))!;
            string? modelDir = null, detector = null, landmarker = null, embedder = null;
            bool flip = false;
            int threads = 0;
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "model_directory": modelDir = String(p, configOrModelDir); break;
                    case "detector": detector = String(p, configOrModelDir); break;
                    case "landmarker": landmarker = String(p, configOrModelDir); break;
                    case "embedder": embedder = String(p, configOrModelDir); break;
                    case "flip_fusion":
                        flip = p.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            _ => throw Config(configOrModelDir, "flip_fusion must be true or false"),
                        };
                        break;
                    case "intra_op_threads":
                        if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out threads) || threads < 0)
                            throw Config(configOrModelDir, "intra_op_threads must be a whole number >= 0");
                        break;
                    default: throw Config(configOrModelDir, $"unknown setting '{p.Name}'");
                }
            }
            if (string.IsNullOrWhiteSpace(modelDir)) throw Config(configOrModelDir, "model_directory is required");
            var defaults = new PipelineOptions { ModelDirectory = Path.GetFullPath(Path.Combine(baseDir, modelDir)) };
            return defaults with
            {
                Detector = detector ?? defaults.Detector,
                Landmarker = landmarker ?? defaults.Landmarker,
                Embedder = embedder ?? defaults.Embedder,
                FlipFusion = flip,
                Inference = new InferenceOptions { IntraOpThreads = threads },
            };
        }
    }

    private static string String(JsonProperty p, string file) =>
        p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw Config(file, $"{p.Name} must be a string");

    private static NativeError Config(string file, string why) => new(Status.Config, $"{file}: {why}");
}
