using System.CommandLine;
using FaceKit.Inference;
using FaceKit.Inference.Models;
using FaceKit.Inference.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceKit.Cli;

/// <summary>What one command invocation needs from the edge: output writers, parsed global options, the pipeline.</summary>
public sealed class CliContext(ParseResult parse, TextWriter stdout, TextWriter stderr) : IDisposable
{
    private FacePipeline? _pipeline;
    private ILoggerFactory? _loggerFactory;

    public ParseResult Parse { get; } = parse;
    public TextWriter Out { get; } = stdout;
    public TextWriter Err { get; } = stderr;
    public bool Json => Parse.GetValue(GlobalOptions.Json);

    public string ModelDirectory =>
        Parse.GetValue(GlobalOptions.Models)
        ?? Environment.GetEnvironmentVariable("FACEKIT_MODELS")
        ?? ModelStore.DefaultDirectory(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    public ILogger Logger(string category)
    {
        if (!Parse.GetValue(GlobalOptions.Verbose)) return NullLogger.Instance;
        _loggerFactory ??= LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information)
            .AddFilter((_, _) => true));
        return _loggerFactory.CreateLogger(category);
    }

    /// <summary>Gallery options from the edge: the encryption key (file or environment variable), the ANN threshold and the caller for the audit trail.</summary>
    public Gallery.GalleryOptions GalleryOptions(bool createIfMissing)
    {
        var options = new Gallery.GalleryOptions
        {
            CreateIfMissing = createIfMissing,
            EncryptionKey = ResolveKey(),
            CallerId = "cli:" + Environment.UserName,
        };
        return Parse.GetValue(GlobalOptions.AnnThreshold) switch
        {
            null => options,
            < 1 => throw Core.Errors.FaceKitException.BadInput("--ann-threshold must be at least 1"),
            int n => options with { AnnThreshold = n },
        };
    }

    private byte[]? ResolveKey()
    {
        string? path = Parse.GetValue(GlobalOptions.KeyFile), name = Parse.GetValue(GlobalOptions.KeyEnv);
        if (path is not null && name is not null) throw Core.Errors.FaceKitException.BadInput("give --key-file or --key-env, not both");
        if (path is not null)
            return File.Exists(path)
                ? Gallery.GalleryKey.Parse(File.ReadAllBytes(path), $"key file {path}")
                : throw Core.Errors.FaceKitException.BadInput($"key file {path} does not exist");
        if (name is not null)
            return Gallery.GalleryKey.Parse(Environment.GetEnvironmentVariable(name)
                ?? throw Core.Errors.FaceKitException.BadInput($"environment variable {name} is not set"), $"environment variable {name}");
        return null;
    }

    public PipelineOptions PipelineOptions => new()
    {
        ModelDirectory = ModelDirectory,
        Detector = Parse.GetValue(GlobalOptions.Detector) ?? "ultraface",
        Embedder = Parse.GetValue(GlobalOptions.Embedder) ?? "faceplugin",
        FlipFusion = Parse.GetValue(GlobalOptions.Flip),
        Inference = new InferenceOptions { IntraOpThreads = Parse.GetValue(GlobalOptions.Threads), Provider = Parse.GetValue(GlobalOptions.Provider) },
    };

    public FacePipeline Pipeline => _pipeline ??= FacePipeline.Create(PipelineOptions, Logger("FaceKit.Inference"));

    /// <summary>The default verification threshold of the selected embedder (calibrated, see models.json; a local model's sidecar may give one).</summary>
    public float DefaultThreshold => new ModelStore(ModelDirectory).Find(PipelineOptions.Embedder, ModelRole.Embedder).Threshold ?? 0.3f;

    public void Dispose()
    {
        _pipeline?.Dispose();
        _loggerFactory?.Dispose();
    }
}
