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

    public PipelineOptions PipelineOptions => new()
    {
        ModelDirectory = ModelDirectory,
        Detector = Parse.GetValue(GlobalOptions.Detector) ?? "ultraface",
        Embedder = Parse.GetValue(GlobalOptions.Embedder) ?? "faceplugin",
        FlipFusion = Parse.GetValue(GlobalOptions.Flip),
        Inference = new InferenceOptions { IntraOpThreads = Parse.GetValue(GlobalOptions.Threads), Provider = Parse.GetValue(GlobalOptions.Provider) },
    };

    public FacePipeline Pipeline => _pipeline ??= FacePipeline.Create(PipelineOptions, Logger("FaceKit.Inference"));

    /// <summary>The default verification threshold of the selected embedder (calibrated, see models.json).</summary>
    public float DefaultThreshold => ModelManifest.Default.Find(PipelineOptions.Embedder, ModelRole.Embedder).Threshold ?? 0.3f;

    public void Dispose()
    {
        _pipeline?.Dispose();
        _loggerFactory?.Dispose();
    }
}
