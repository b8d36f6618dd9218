using FaceKit.Gallery;
using FaceKit.Inference;
using FaceKit.Server.Configuration;
using FaceKit.Server.Live;

namespace FaceKit.Server.Hosting;

/// <summary>The shared objects every endpoint uses; one per server, registered as a singleton.</summary>
internal sealed class ServerState(ServerOptions options, FacePipeline pipeline, IFaceGallery gallery, VideoService video, ConfigFile configFile, ServerConfig config,
    LivenessGuard liveness)
{
    private readonly Lock _gate = new();
    private ServerConfig _config = config;

    public ServerOptions Options { get; } = options;

    /// <summary>The photo pipeline (tiling and crop fallbacks on) for uploads; the video loop has its own.</summary>
    public FacePipeline Pipeline { get; } = pipeline;

    public IFaceGallery Gallery { get; } = gallery;

    public VideoService Video { get; } = video;

    public LivenessGuard Liveness { get; } = liveness;

    public ConfigFile ConfigFile { get; } = configFile;

    public ServerConfig Config
    {
        get { lock (_gate) return _config; }
    }

    public void SaveStream(StreamSettings stream)
    {
        lock (_gate)
        {
            _config = _config with { Stream = stream };
            ConfigFile.Save(_config);
        }
    }

    public void SetThreshold(float threshold)
    {
        Gallery.SetSetting("threshold", threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Video.Threshold = threshold;
    }
}
