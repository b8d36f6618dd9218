using System.CommandLine;
using FaceKit.Inference.Runtime;

namespace FaceKit.Cli;

/// <summary>Options every subcommand understands.</summary>
public static class GlobalOptions
{
    public static readonly Option<bool> Json = new("--json") { Description = "print one JSON document instead of text", Recursive = true };

    public static readonly Option<string?> Models = new("--models")
    {
        Description = "model folder (default ~/.cache/facekit/models, or FACEKIT_MODELS)",
        Recursive = true,
    };

    public static readonly Option<string?> Detector = new("--detector") { Description = "detector name or id from the model registry", Recursive = true };

    public static readonly Option<string?> Embedder = new("--embedder") { Description = "embedder name or id from the model registry, or a MODEL.onnx with its MODEL.onnx.json (facekit export)", Recursive = true };

    public static readonly Option<bool> Flip = new("--flip") { Description = "flip fusion: embed the face and its mirror image", Recursive = true };

    public static readonly Option<int> Threads = new("--threads") { Description = "threads per model call (0 = all cores)", Recursive = true };

    public static readonly Option<ExecutionProvider> Provider = new("--provider")
    {
        Description = "ONNX Runtime execution provider: Cpu, Cuda, TensorRt, Auto",
        DefaultValueFactory = _ => ExecutionProvider.Cpu,
        Recursive = true,
    };

    public static readonly Option<string?> KeyFile = new("--key-file")
    {
        Description = "file holding the template-encryption key (32 raw bytes, or base64/hex text): encrypts a new gallery, required to open an encrypted one",
        Recursive = true,
    };

    public static readonly Option<int?> AnnThreshold = new("--ann-threshold")
    {
        Description = "templates from which a gallery searches through its IVF index instead of exactly (default 50000)",
        Recursive = true,
    };

    public static readonly Option<string?> KeyEnv = new("--key-env")
    {
        Description = "name of an environment variable holding the template-encryption key (base64 or hex)",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose") { Description = "log diagnostics to stderr", Recursive = true };

    public static void AddTo(RootCommand root)
    {
        foreach (var option in new Option[] { Json, Models, Detector, Embedder, Flip, Threads, Provider, KeyFile, KeyEnv, AnnThreshold, Verbose })
            root.Options.Add(option);
    }
}
