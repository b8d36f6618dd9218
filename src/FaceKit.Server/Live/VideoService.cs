using FaceKit.Core.Errors;
using FaceKit.Gallery;
using FaceKit.Inference;
using FaceKit.Inference.Liveness;
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
    private readonly LivenessChecker? _liveness;
    private readonly Lock _gate = new();
    private RecognitionLoop? _loop;
    private float _threshold;
    private string? _startError;
    private (long Sequence, int Width, int Height, byte[] Jpeg)? _jpeg;

    public VideoService(FacePipeline pipeline, IFaceGallery gallery, FrameSourceOptions sourceDefaults, float threshold, ILoggerFactory loggers,
        LivenessChecker? liveness = null)
    {
        _liveness = liveness;
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
            // DNN resize on: frames go straight to the detector's input size (shrunk once, in a reused buffer). Off: the
            // detector gets the frame as it is and resizes it itself (slower; the same boxes with the bundled 320×240 model).
            var recognition = new RecognitionOptions
            {
                DetectionMaxSide = settings.DnnResize ? settings.DnnSize : 0,
                DetectorInput = settings.DnnResize ? new RecognitionOptions().DetectorInput : (0, 0),
                Threshold = Threshold,
            };
            loop = new RecognitionLoop(source, new FrameProcessor(_pipeline, _gallery, recognition, _loggers.CreateLogger("FaceKit.Video"), _liveness),
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

    /// <summary>
    /// The live-view JPEG of a result (drawn and encoded here, only for frames a client asks for; shared by every
    /// client of the same size); null when the frame's pixels were recycled meanwhile (take the newest result).
    /// </summary>
    public byte[]? Jpeg(ProcessedFrame frame, int width, int height)
    {
        lock (_gate)
            if (_jpeg is { } j && j.Sequence == frame.Sequence && j.Width == width && j.Height == height) return j.Jpeg;
        var bytes = FrameViewEncoder.Encode(frame, width, height);
        if (bytes is null) return null;
        lock (_gate) _jpeg = (frame.Sequence, width, height, bytes);
        return bytes;
    }

    /// <summary>The JPEG of the newest result, retrying when a newer frame recycles the one being drawn.</summary>
    public byte[] LatestJpeg(int width, int height)
    {
        for (int attempt = 0; ; attempt++)
        {
            var frame = Loop?.Latest ?? throw new FaceKitException(ErrorCode.StorageUnavailable, StartError ?? "no frame yet: the stream is starting");
            var jpeg = Jpeg(frame, width, height);
            if (jpeg is not null) return jpeg;
            if (attempt >= 10) throw new FaceKitException(ErrorCode.StorageUnavailable, "the stream moves too fast to capture a frame; try again");
        }
    }

    /// <summary>Runs <paramref name="read"/> on the newest result while holding its frame's pixels.</summary>
    public T WithLatestPixels<T>(Func<ProcessedFrame, T> read)
    {
        for (int attempt = 0; ; attempt++)
        {
            var frame = Loop?.Latest ?? throw new FaceKitException(ErrorCode.StorageUnavailable, StartError ?? "no frame yet: the stream is starting");
            if (frame.Frame.TryRetain())
            {
                try { return read(frame); }
                finally { frame.Frame.Release(); }
            }
            if (attempt >= 10) throw new FaceKitException(ErrorCode.StorageUnavailable, "the stream moves too fast to capture a frame; try again");
        }
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
