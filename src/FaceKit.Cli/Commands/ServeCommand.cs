using System.CommandLine;
using System.Runtime.InteropServices;
using FaceKit.Server;
using FaceKit.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace FaceKit.Cli.Commands;

/// <summary>`facekit serve`: the web app (live view, registration, settings) and the REST API, until Ctrl-C.</summary>
public static class ServeCommand
{
    /// <summary>The demo video beside the repository, used when neither --source nor the config file names one.</summary>
    private static readonly string DemoVideo = Path.Combine("..", "shared", "data", "video", "bbt-640x480.mp4");

    public static Command Build(ContextHolder holder)
    {
        var urls = new Option<string>("--urls") { Description = "addresses to listen on, comma-separated", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var gallery = new Option<string>("--gallery") { Description = "gallery: a SQLite file (created when missing) or postgres://user@host:port/db", DefaultValueFactory = _ => DefaultGallery() };
        var source = new Option<string?>("--source") { Description = "video file, folder of images, rtsp://… or camera:N (default: the config file's, else the demo video)" };
        var config = new Option<string>("--config") { Description = "settings file (stream settings, API keys)", DefaultValueFactory = _ => "facekit.json" };
        var liveness = new Option<string>("--require-liveness")
        {
            Description = "only live faces (fr_liveness check) may be enrolled and/or identified: none, enrol, identify or both",
            DefaultValueFactory = _ => "none",
        };
        liveness.AcceptOnlyFromAmong("none", "enrol", "identify", "both");
        var livenessThreshold = new Option<float>("--liveness-threshold") { Description = "smallest live probability accepted", DefaultValueFactory = _ => 0.5f };
        var command = new Command("serve", "run the web app and REST API until Ctrl-C") { urls, gallery, source, config, liveness, livenessThreshold };
        command.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var configPath = parse.GetValue(config)!;
            var options = new ServerOptions
            {
                Urls = parse.GetValue(urls)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                GalleryPath = parse.GetValue(gallery)!,
                // --key-file/--key-env seal templates at rest here as in the other commands; the REST API names its callers itself.
                GalleryOptions = ctx.GalleryOptions(createIfMissing: true) with { CallerId = null },
                ConfigPath = configPath,
                Source = parse.GetValue(source) ?? FallbackSource(configPath),
                Pipeline = ctx.PipelineOptions,
                DefaultThreshold = ctx.DefaultThreshold,
                Liveness = new LivenessRequirement
                {
                    OnEnrol = parse.GetValue(liveness) is "enrol" or "both",
                    OnIdentify = parse.GetValue(liveness) is "identify" or "both",
                    Threshold = parse.GetValue(livenessThreshold),
                },
            };
            if (!Gallery.GalleryFactory.IsPostgres(options.GalleryPath)
                && Path.GetDirectoryName(Path.GetFullPath(options.GalleryPath)) is { } galleryDir)
                Directory.CreateDirectory(galleryDir);
            bool verbose = parse.GetValue(GlobalOptions.Verbose);
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)
                .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning));
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            try
            {
                var server = FaceKitServer.StartAsync(options, loggers).GetAwaiter().GetResult();
                try
                {
                    ctx.Err.WriteLine($"facekit: serving on {string.Join(", ", server.Urls)} (gallery {Gallery.GalleryFactory.Describe(options.GalleryPath)}); Ctrl-C stops");
                    try { server.WaitForShutdownAsync(stop.Token).GetAwaiter().GetResult(); }
                    catch (OperationCanceledException) { }
                }
                finally
                {
                    server.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            ctx.Err.WriteLine("facekit: stopped");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string? FallbackSource(string configPath)
    {
        var stream = new ConfigFile(configPath).Load().Stream;
        bool configured = stream.SourceType switch
        {
            "file" => stream.File is not null,
            "folder" => stream.Folder is not null,
            _ => true,
        };
        return configured || !File.Exists(DemoVideo) ? null : DemoVideo;
    }

    private static string DefaultGallery() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "facekit", "gallery.db");
}
