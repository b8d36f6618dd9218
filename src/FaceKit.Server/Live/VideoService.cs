using FaceKit.Core.Errors;
using FaceKit.Gallery;
using FaceKit.Inference;
using FaceKit.Server.Configuration;
using FaceKit.Video.Processing;
using FaceKit.Video.Sources;
using Microsoft.Extensions.Logging;

namespace FaceKit.Server.Live;

/// <summary>
/// The running source and recognition loop, replaced whole when the stream settings change, and the
/// JPEG of the latest result, encoded once per frame and view size however many browsers watch.
/// </summary>
internal sealed class VideoService : IDisposable
{
    private readonly FacePipeline _pipeline;
    private readonly IFaceGallery _gallery;
    private readonly FrameSourceOptions _sourceDefaults;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private RecognitionLoop? _loop;
    private float _threshold;
    private string? _startError;
    private (long Sequence, int Width, int Height, byte[] Jpeg)? _jpeg;

    public VideoService(FacePipeline pipeline, IFaceGallery gallery, FrameSourceOptions sourceDefaults, float threshold, ILoggerFactory loggers)
    {
        _pipeline = pipeline;
        _gallery = gallery;
        _sourceDefaults = sourceDefaults;
        _threshold = threshold;
        _loggers = loggers;
        _logger = loggers.CreateLogger("FaceKit.Server.Video");
    }

    public RecognitionLoop? Loop
    {
        get { lock (_gate) return _loop; }
    }

    /// <summary>Why the configured source could not be started (bad path, …); null when it runs.</summary>
    public string? StartError
    {
        get { lock (_gate) return _startError; }
    }

    public StreamSettings Settings { get; private set; } = new();

    public float Threshold
    {
        get { lock (_gate) return _threshold; }
        set
        {
            lock (_gate)
            {
                _threshold = value;
                if (_loop is not null) _loop.Processor.Threshold = value;
            }
        }
    }

    /// <summary>Stops the current source and starts the one <paramref name="settings"/> name; a bad source leaves no stream and says why.</summary>
    public void Apply(StreamSettings settings)
    {
        RecognitionLoop? old;
        lock (_gate)
        {
            old = _loop;
            _loop = null;
            _jpeg = null;
            Settings = settings;
        }
        if (old is not null)
        {
            old.Dispose();
            old.Source.Dispose();
        }
        RecognitionLoop? loop = null;
        string? error = null;
        try
        {
            var spec = settings.ToSource();
            var sourceOptions = _sourceDefaults with
            {
                Fps = settings.Fps > 0 ? settings.Fps : _sourceDefaults.Fps,
                Width = settings.Width,
                Height = settings.Height,
                Loop = settings.Loop,
            };
            var source = new FrameSource(spec, sourceOptions, _loggers.CreateLogger("FaceKit.Video.Source"));
            var recognition = new RecognitionOptions { DetectionMaxSide = settings.DnnResize ? settings.DnnSize : 0, Threshold = Threshold };
            loop = new RecognitionLoop(source, new FrameProcessor(_pipeline, _gallery, recognition, _loggers.CreateLogger("FaceKit.Video")),
                _loggers.CreateLogger("FaceKit.Video.Loop"));
            loop.Start();
            _logger.LogInformation("streaming from {Source}", spec.Display);
        }
        catch (FaceKitException e)
        {
            error = e.Message;
            _logger.LogWarning("stream not started: {Error}", e.Message);
        }
        lock (_gate)
        {
            _loop = loop;
            _startError = error;
        }
    }

    /// <summary>Tells the loop the gallery changed so names update without waiting for re-checks.</summary>
    public void GalleryChanged() => Loop?.Processor.InvalidateIdentities();

    public byte[] Jpeg(ProcessedFrame frame, int width, int height)
    {
        lock (_gate)
            if (_jpeg is { } j && j.Sequence == frame.Sequence && j.Width == width && j.Height == height) return j.Jpeg;
        var bytes = JpegEncoder.Encode(frame.Annotated, width, height);
        lock (_gate) _jpeg = (frame.Sequence, width, height, bytes);
        return bytes;
    }

    public void Dispose()
    {
        RecognitionLoop? loop;
        lock (_gate)
        {
            loop = _loop;
            _loop = null;
        }
        loop?.Dispose();
        loop?.Source.Dispose();
    }
}
