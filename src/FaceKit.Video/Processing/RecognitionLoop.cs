using System.Diagnostics;
using FaceKit.Video.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceKit.Video.Processing;

/// <summary>
/// Takes the newest frame from a <see cref="FrameSource"/>, processes it on its own thread and publishes
/// the result; frames that arrive while one is processed are dropped by the source's slot, so the shown
/// result is never older than one processing time. The newest result keeps its frame's pixels alive until
/// the next one replaces it; readers of the pixels take their own reference (<see cref="VideoFrame.TryRetain"/>).
/// </summary>
public sealed class RecognitionLoop : IDisposable
{
    private readonly FrameSource _source;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly RateMeter _processed = new(TimeSpan.FromSeconds(2));
    private readonly Lock _statsGate = new();
    private MovingAverage _latency, _detect, _embed, _annotate;
    private Thread? _thread;
    private ProcessedFrame? _latest;
    private TaskCompletionSource<ProcessedFrame> _next = NewWaiter();

    public RecognitionLoop(FrameSource source, FrameProcessor processor, ILogger? logger = null)
    {
        _source = source;
        Processor = processor;
        _logger = logger ?? NullLogger.Instance;
    }

    public FrameProcessor Processor { get; }

    public FrameSource Source => _source;

    public ProcessedFrame? Latest => Volatile.Read(ref _latest);

    public long Failures { get; private set; }

    /// <summary>Starts the source (if not yet started) and the processing thread.</summary>
    public void Start()
    {
        if (_thread is not null) throw new InvalidOperationException("loop already started");
        _source.Start();
        _thread = new Thread(Run) { IsBackground = true, Name = "facekit-recognition" };
        _thread.Start();
    }

    /// <summary>The first result newer than <paramref name="afterSequence"/>; waits for it when there is none yet.</summary>
    public async Task<ProcessedFrame> NextAsync(long afterSequence, CancellationToken cancel)
    {
        var latest = Latest;
        if (latest is not null && latest.Sequence > afterSequence) return latest;
        var waiter = Volatile.Read(ref _next).Task;
        latest = Latest;
        if (latest is not null && latest.Sequence > afterSequence) return latest;
        return await waiter.WaitAsync(cancel).ConfigureAwait(false);
    }

    public FrameStatistics Statistics
    {
        get
        {
            var latest = Latest;
            var status = _source.Status;
            lock (_statsGate)
                return new FrameStatistics(
                    Math.Round(_source.InputFps, 1), Math.Round(_processed.PerSecond, 1), Math.Round(_latency.Value, 2),
                    Math.Round(_detect.Value, 2), Math.Round(_embed.Value, 2), Math.Round(_annotate.Value, 2),
                    status.FramesRead, latest is null ? 0 : latest.Sequence + 1, status.FramesDropped,
                    latest?.Faces ?? 0, latest?.Tracks.Count ?? 0, Processor.Embeddings);
        }
    }

    private void Run()
    {
        var cancel = _stop.Token;
        while (!cancel.IsCancellationRequested)
        {
            VideoFrame? frame;
            try { frame = _source.Read(TimeSpan.FromMilliseconds(200), cancel); }
            catch (OperationCanceledException) { break; }
            if (frame is null) continue;
            ProcessedFrame result;
            try
            {
                result = Processor.Process(frame);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One bad frame must not stop a camera that runs for weeks; the count shows in the logs.
                Failures++;
                _logger.LogError(e, "processing frame {Index} failed", frame.Index);
                frame.Release();
                continue;
            }
            long now = Stopwatch.GetTimestamp();
            lock (_statsGate)
            {
                _processed.Mark(now);
                _latency.Add(Stopwatch.GetElapsedTime(frame.CapturedTimestamp, now).TotalMilliseconds);
                if (result.Detected)
                {
                    _detect.Add(result.DetectMs);
                    _embed.Add(result.EmbedMs);
                }
                _annotate.Add(result.AnnotateMs);
            }
            var previous = Interlocked.Exchange(ref _latest, result);
            Interlocked.Exchange(ref _next, NewWaiter()).TrySetResult(result);
            // The loop's reference to the superseded frame; a reader still encoding it holds its own.
            previous?.Frame.Release();
        }
    }

    private static TaskCompletionSource<ProcessedFrame> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(5));
        _next.TrySetCanceled();
        _stop.Dispose();
    }
}
