using System.Diagnostics;
using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Gallery;
using FaceKit.Inference;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Liveness;
using FaceKit.Video.Sources;
using FaceKit.Video.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceKit.Video.Processing;

/// <summary>
/// detect boxes (every k-th frame) → track → landmarks and embedding only for new tracks and periodic re-checks →
/// search the gallery → vote (→ draw, when <see cref="RecognitionOptions.Annotate"/> is on). One frame at a time; its public members may be called from other threads.
/// </summary>
public sealed class FrameProcessor
{
    private readonly FacePipeline _pipeline;
    private readonly IFaceGallery? _gallery;
    private readonly RecognitionOptions _options;
    private readonly ILogger _logger;
    private readonly IouTracker _tracker;
    private readonly SceneCutDetector _cuts;
    private readonly Dictionary<int, IdentityVotes> _identities = [];
    private readonly Lock _gate = new();
    private long _processed;
    private long _embeddings;
    private bool _galleryChanged;
    private float _threshold;
    private string? _galleryError;
    private ImageBuffer? _detectorInput;
    private readonly LivenessChecker? _liveness;
    private long _notLive;

    /// <param name="liveness">when given, a face is only identified while it passes this liveness check (it stays unknown otherwise)</param>
    public FrameProcessor(FacePipeline pipeline, IFaceGallery? gallery, RecognitionOptions? options = null, ILogger? logger = null,
        LivenessChecker? liveness = null)
    {
        _liveness = liveness;
        _pipeline = pipeline;
        _gallery = gallery;
        _options = options ?? new RecognitionOptions();
        _logger = logger ?? NullLogger.Instance;
        _tracker = new IouTracker(_options.Tracker);
        _cuts = new SceneCutDetector(_options.SceneCutDifference);
        _threshold = _options.Threshold;
        if (_options.DetectEvery < 1) throw FaceKitException.BadInput("detect-every must be at least 1");
    }

    /// <summary>The match threshold; a change applies from the next frame, without re-embedding.</summary>
    public float Threshold
    {
        get => Volatile.Read(ref _threshold);
        set => Volatile.Write(ref _threshold, value);
    }

    /// <summary>Number of embeddings computed so far (new tracks and re-checks, never every face of every frame).</summary>
    public long Embeddings => Interlocked.Read(ref _embeddings);

    /// <summary>The gallery's subjects changed (enrolled, renamed, deleted): search every track's recent embeddings again.</summary>
    public void InvalidateIdentities()
    {
        lock (_gate) _galleryChanged = true;
    }

    /// <summary>The recent embeddings of a live track, newest last (for enrolling it); empty for an unknown id.</summary>
    public IReadOnlyList<Embedding> Samples(int trackId)
    {
        lock (_gate) return _identities.TryGetValue(trackId, out var v) ? v.Embeddings : [];
    }

    public ProcessedFrame Process(VideoFrame frame)
    {
        lock (_gate) return ProcessLocked(frame);
    }

    private ProcessedFrame ProcessLocked(VideoFrame frame)
    {
        long n = _processed++;
        var image = frame.Image;
        double detectMs = 0, embedMs = 0, annotateMs = 0;
        bool detect = n % _options.DetectEvery == 0;
        if (_cuts.IsCut(image))
        {
            _tracker.Clear();
            _identities.Clear();
            detect = true;
        }
        int faces = 0;
        IReadOnlyList<Track> seen = [];
        if (detect)
        {
            long t0 = Stopwatch.GetTimestamp();
            var found = Detect(image);
            detectMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            faces = found.Count;
            seen = _tracker.Update(found, n);
            foreach (var id in _identities.Keys.Where(id => _tracker.Tracks.All(t => t.Id != id)).ToList()) _identities.Remove(id);

            long t1 = Stopwatch.GetTimestamp();
            if (_galleryChanged)
            {
                _galleryChanged = false;
                foreach (var v in _identities.Values) v.Research(Identify);
            }
            Recognise(image, seen, n);
            embedMs = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
        }

        float threshold = Threshold;
        var views = new List<TrackView>(_tracker.Tracks.Count);
        // Tracks the detector just missed stay in the tracker to be picked up again, but are not shown.
        foreach (var t in _tracker.Tracks.Where(t => t.Missed == 0))
        {
            _identities.TryGetValue(t.Id, out var votes);
            var (name, similarity, bestName, bestSimilarity) = votes?.Decide(threshold) ?? (null, 0, null, 0);
            views.Add(new TrackView(t.Id, t.Box, t.Face.Score, name, similarity, bestName, bestSimilarity,
                votes?.Count ?? 0, t.FirstFrame));
        }

        var annotated = image;
        if (_options.Annotate)
        {
            long t2 = Stopwatch.GetTimestamp();
            annotated = FrameAnnotator.Draw(image, views);
            annotateMs = Stopwatch.GetElapsedTime(t2).TotalMilliseconds;
        }
        return new ProcessedFrame(n, frame, annotated, views, detect ? faces : views.Count, detect, detectMs, embedMs, annotateMs);
    }

    /// <summary>
    /// The face boxes of the frame, largest first, in frame pixels. Boxes only: tracking needs no landmarks, so the
    /// landmark model runs later, and only for the faces about to be embedded (new tracks and re-checks).
    /// </summary>
    private List<DetectedFace> Detect(ImageBuffer image)
    {
        var input = image;
        var (iw, ih) = _options.DetectorInput;
        int side = Math.Max(image.Width, image.Height), max = _options.DetectionMaxSide;
        if (iw > 0 && ih > 0)
        {
            // Shrunk once, straight to the detector's own size, so the detector does not resize (and allocate) again.
            if (image.Width != iw || image.Height != ih) input = ShrinkForDetector(image, iw, ih);
        }
        else if (max > 0 && side > max)
        {
            float scale = (float)max / side;
            input = MatConversion.Resize(image, Math.Max(1, (int)(image.Width * scale)), Math.Max(1, (int)(image.Height * scale)));
        }
        float sx = (float)image.Width / input.Width, sy = (float)image.Height / input.Height;
        var faces = new List<DetectedFace>();
        foreach (var b in _pipeline.Detector.Detect(input))
            faces.Add(new DetectedFace(b.Box.Scale(sx, sy).Clip(image.Width, image.Height), b.Score, default));
        faces.Sort((a, b) => b.Box.Area.CompareTo(a.Box.Area));
        return faces;
    }

    /// <summary>The frame at the detector's input size, in a buffer kept from one detection to the next.</summary>
    private ImageBuffer ShrinkForDetector(ImageBuffer image, int width, int height)
    {
        if (_detectorInput is null || _detectorInput.Width != width || _detectorInput.Height != height || _detectorInput.Format != image.Format)
            _detectorInput = ImageBuffer.Create(width, height, image.Format);
        using var src = MatConversion.Wrap(image, out var srcHandle);
        using var dst = MatConversion.Wrap(_detectorInput, out var dstHandle);
        try
        {
            // Area averaging when shrinking, as MatConversion.Resize (and so the detector itself) does.
            var interpolation = width < image.Width && height < image.Height ? OpenCvSharp.InterpolationFlags.Area : OpenCvSharp.InterpolationFlags.Linear;
            OpenCvSharp.Cv2.Resize(src, dst, new OpenCvSharp.Size(width, height), 0, 0, interpolation);
        }
        finally
        {
            srcHandle.Free();
            dstHandle.Free();
        }
        return _detectorInput;
    }

    private void Recognise(ImageBuffer image, IReadOnlyList<Track> seen, long n)
    {
        var due = new List<Track>();
        foreach (var t in seen)
        {
            if (!_identities.TryGetValue(t.Id, out var votes)) _identities[t.Id] = votes = new IdentityVotes(_options.Votes);
            if (votes.Count == 0 || n - votes.LastChecked >= _options.RecheckEvery) due.Add(t);
        }
        if (due.Count == 0) return;
        // Landmarks (for alignment) on the full frame, only for the faces embedded now.
        var faces = due.Select(t => new DetectedFace(t.Box, t.Face.Score, _pipeline.Landmarker.Locate(image, t.Box))).ToList();
        var embeddings = _pipeline.Embed(image, faces);
        Interlocked.Add(ref _embeddings, embeddings.Length);
        for (int i = 0; i < due.Count; i++)
        {
            var votes = _identities[due[i].Id];
            // A face that fails the liveness check is never named: its vote is "unknown" until it passes.
            bool live = _liveness is null || IsLive(image, due[i].Box);
            votes.Add(embeddings[i], live ? Identify(embeddings[i]) : null, _options.SamePersonSimilarity, searchable: live);
            votes.LastChecked = n;
        }
    }

    private bool IsLive(ImageBuffer image, BoxF box)
    {
        try
        {
            if (_liveness!.Check(image, box).IsLive) return true;
        }
        catch (FaceKitException) { } // a box at the frame's edge that leaves no crop: not shown to be live
        Interlocked.Increment(ref _notLive);
        return false;
    }

    /// <summary>Faces refused by the liveness check so far (each re-check of a track counts).</summary>
    public long NotLive => Interlocked.Read(ref _notLive);

    private GalleryMatch? Identify(Embedding embedding)
    {
        if (_gallery is null) return null;
        try
        {
            var matches = _gallery.Identify(embedding, 1);
            return matches.Count > 0 ? matches[0] : null;
        }
        catch (FaceKitException e)
        {
            if (_galleryError != e.Message) _logger.LogWarning("gallery search failed: {Error}", e.Message);
            _galleryError = e.Message;
            return null;
        }
    }
}
