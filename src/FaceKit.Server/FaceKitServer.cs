using System.Text.Json;
using FaceKit.Gallery;
using FaceKit.Inference;
using FaceKit.Inference.Liveness;
using FaceKit.Server.Api;
using FaceKit.Server.Configuration;
using FaceKit.Server.Hosting;
using FaceKit.Server.Live;
using FaceKit.Video.Processing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceKit.Server;

/// <summary>
/// The FaceKit web app: live view, registration, face and stream settings, and the REST API, on Kestrel.
/// Built from options alone (no environment variables, no appsettings files), so it runs the same in tests.
/// </summary>
public sealed class FaceKitServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IDisposable[] _owned;

    private FaceKitServer(WebApplication app, IReadOnlyList<string> urls, IDisposable[] owned)
    {
        _app = app;
        Urls = urls;
        _owned = owned;
    }

    /// <summary>The addresses actually bound (a requested port 0 is replaced by the chosen one).</summary>
    public IReadOnlyList<string> Urls { get; }

    public static async Task<FaceKitServer> StartAsync(ServerOptions options, ILoggerFactory? loggers = null, CancellationToken cancel = default)
    {
        loggers ??= NullLoggerFactory.Instance;
        var configFile = new ConfigFile(options.ConfigPath);
        var config = configFile.Load();
        var stream = options.Source is null ? config.Stream : config.Stream.WithSource(options.Source);
        stream.Validate();

        var owned = new List<IDisposable>();
        try
        {
            var photos = FacePipeline.Create(options.Pipeline, loggers.CreateLogger("FaceKit.Inference"));
            owned.Add(photos);
            var video = FacePipeline.Create(options.Pipeline with { Detection = RecognitionOptions.VideoDetection }, loggers.CreateLogger("FaceKit.Inference"));
            owned.Add(video);
            var gallery = GalleryFactory.Open(options.GalleryPath, options.GalleryOptions, loggers.CreateLogger("FaceKit.Gallery"));
            owned.Add(gallery);
            float threshold = float.TryParse(gallery.GetSetting("threshold"), System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : options.DefaultThreshold;
            var checker = options.Liveness.Any ? LivenessChecker.Create(options.Pipeline.ModelDirectory, options.Pipeline.Inference,
                new LivenessOptions { Threshold = options.Liveness.Threshold }) : null;
            if (checker is not null) owned.Add(checker);
            var liveness = new LivenessGuard(options.Liveness, checker);
            var videoService = new VideoService(video, gallery, options.SourceDefaults, threshold, loggers, liveness.ForIdentify);
            owned.Insert(0, videoService);
            var state = new ServerState(options, photos, gallery, videoService, configFile, config, liveness);

            var app = Build(options, state, config, loggers);
            await app.StartAsync(cancel);
            var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            videoService.Apply(stream);
            return new FaceKitServer(app, urls, owned.ToArray());
        }
        catch
        {
            foreach (var o in owned) o.Dispose();
            throw;
        }
    }

    private static WebApplication Build(ServerOptions options, ServerState state, ServerConfig config, ILoggerFactory loggers)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "FaceKit.Server" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = config.MaxUploadBytes;
            k.AddServerHeader = false;
        });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddRoutingCore();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = config.MaxUploadBytes);
        builder.Services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            j.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
        });
        builder.Services.AddSingleton(state);

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = ErrorResponses.Handle });
        var gate = new ApiKeyGate(state);
        app.Use((context, next) => gate.Invoke(context, () => next(context)));
        app.UseRouting();
        app.MapOpenApi("/openapi/v1.json");
        RestEndpoints.Map(app);
        LiveEndpoints.Map(app);
        SettingsEndpoints.Map(app);
        StaticAssets.Map(app);
        return app;
    }

    /// <summary>Completes when the server stops (after <see cref="DisposeAsync"/> or a host shutdown).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancel = default) => _app.WaitForShutdownAsync(cancel);

    public async ValueTask DisposeAsync()
    {
        // Close the stream first so no MJPEG response waits on a frame while Kestrel drains connections.
        foreach (var o in _owned.OfType<VideoService>()) o.Dispose();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        foreach (var o in _owned) o.Dispose();
    }
}
