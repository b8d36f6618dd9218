using System.Diagnostics;
using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceKit.Video.Sources;

/// <summary>
/// Reads a source on its own thread into a <see cref="LatestFrameSlot"/>. Live sources (RTSP, camera)
/// that fail or end are reopened with exponential back-off; files and slideshows loop or end.
/// </summary>
public sealed class FrameSource : IDisposable
{
    private readonly FrameSourceOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Thread? _thread;
    private IFrameProducer? _producer;
    private FramePool? _pool;
    private SourceStatus _status;
    private long _framesRead;
    private readonly Processing.RateMeter _rate = new(TimeSpan.FromSeconds(2));

    public FrameSource(SourceSpec spec, FrameSourceOptions? options = null, ILogger? logger = null)
    {
        Spec = spec;
        _options = options ?? new FrameSourceOptions();
        _logger = logger ?? NullLogger.Instance;
        _status = new SourceStatus(SourceState.Connecting, spec.Display, 0, 0, 0, 0, 0, 0, null);
    }

    public SourceSpec Spec { get; }

    public LatestFrameSlot Frames { get; } = new();

    public SourceStatus Status
    {
        get
        {
            lock (_gate) return _status with { FramesRead = Interlocked.Read(ref _framesRead), FramesDropped = Frames.Dropped };
        }
    }

    /// <summary>True once no more frames will come (ended, failed or stopped).</summary>
    public bool Finished => Status.State is SourceState.Ended or SourceState.Failed or SourceState.Stopped;

    /// <summary>Starts the reading thread; a second call does nothing.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_thread is not null) return;
            _thread = new Thread(Run) { IsBackground = true, Name = "facekit-source" };
        }
        _thread.Start();
    }

    /// <summary>Frame buffers allocated so far; with pooling it stays at a handful however many frames are read.</summary>
    public long BuffersAllocated => _pool?.Allocated ?? 0;

    /// <summary>Frames delivered per second over the last two seconds.</summary>
    public double InputFps => _rate.PerSecond;

    /// <summary>The newest frame, waiting up to <paramref name="timeout"/>; null when none arrived.</summary>
    public VideoFrame? Read(TimeSpan timeout, CancellationToken cancel = default) => Frames.Take(timeout, cancel);

    private bool Live => Spec.Kind is SourceKind.Rtsp or SourceKind.Camera;

    private void Run()
    {
        var cancel = _stop.Token;
        var delay = _options.ReconnectDelay;
        int reconnects = 0;
        while (!cancel.IsCancellationRequested)
        {
            Update(s => s with { State = reconnects == 0 ? SourceState.Connecting : SourceState.Reconnecting });
            string? error;
            bool gotFrames = false;
            try
            {
                var producer = Spec.Kind == SourceKind.Folder ? (IFrameProducer)SlideshowProducer.Open(Spec, _options) : FfmpegProducer.Open(Spec, _options);
                lock (_gate) _producer = producer;
                using (producer)
                {
                    Update(s => s with { Width = producer.Width, Height = producer.Height, NativeFps = producer.Fps });
                    _logger.LogInformation("source {Source}: {Width}x{Height} at {Fps:0.#} fps", Spec.Display, producer.Width, producer.Height, producer.Fps);
                    gotFrames = Pump(producer, cancel);
                    error = producer.Error;
                }
                lock (_gate) _producer = null;
            }
            catch (FaceKitException e)
            {
                error = e.Message;
            }
            if (cancel.IsCancellationRequested) break;
            if (!Live)
            {
                var done = gotFrames || error is null ? SourceState.Ended : SourceState.Failed;
                Update(s => s with { State = done, LastError = error });
                _logger.LogInformation("source {Source} {State}: {Error}", Spec.Display, done, error);
                return;
            }
            if (gotFrames) delay = _options.ReconnectDelay;
            reconnects++;
            var why = error ?? "stream ended";
            Update(s => s with { State = SourceState.Reconnecting, Reconnects = reconnects, LastError = why });
            _logger.LogWarning("source {Source} lost ({Error}); retrying in {Delay} ms", Spec.Display, why, delay.TotalMilliseconds);
            if (cancel.WaitHandle.WaitOne(delay)) break;
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
        Update(s => s with { State = SourceState.Stopped });
    }

    private bool Pump(IFrameProducer producer, CancellationToken cancel)
    {
        bool any = false;
        int size = checked(producer.Width * producer.Height * 3);
        var pool = _pool is { } p && p.Size == size ? p : _pool = new FramePool(size);
        while (!cancel.IsCancellationRequested)
        {
            var pixels = pool.Rent();
            if (!producer.Read(pixels, cancel))
            {
                pool.Return(pixels);
                break;
            }
            if (!any)
            {
                any = true;
                Update(s => s with { State = SourceState.Streaming, LastError = null });
            }
            if (!_options.DropFrames && !Frames.WaitUntilTaken(cancel)) { pool.Return(pixels); break; }
            long index = Interlocked.Increment(ref _framesRead) - 1;
            _rate.Mark(Stopwatch.GetTimestamp());
            var image = new ImageBuffer(producer.Width, producer.Height, PixelFormat.Bgr24, pixels);
            var frame = new VideoFrame(image, index, Stopwatch.GetTimestamp()) { Pool = pool };
            Frames.Publish(frame);
        }
        return any;
    }

    private void Update(Func<SourceStatus, SourceStatus> change)
    {
        lock (_gate) _status = change(_status);
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        IFrameProducer? producer;
        lock (_gate) producer = _producer;
        // Killing ffmpeg unblocks the thread's pipe read.
        producer?.Dispose();
        _thread?.Join(TimeSpan.FromSeconds(5));
        Update(s => s with { State = SourceState.Stopped });
        _stop.Dispose();
    }
}
