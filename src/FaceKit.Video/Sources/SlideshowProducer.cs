using System.Diagnostics;
using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;

namespace FaceKit.Video.Sources;

/// <summary>
/// The images of a folder shown one after another, each letterboxed into the frame size. Decoded
/// once up front so the slideshow costs a copy per frame, like a camera.
/// </summary>
internal sealed class SlideshowProducer : IFrameProducer
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".pgm", ".ppm", ".tif", ".tiff"];
    private readonly byte[][] _slides;
    private readonly int _framesPerSlide;
    private readonly bool _loop, _realtime;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _emitted;

    private SlideshowProducer(byte[][] slides, int width, int height, double fps, FrameSourceOptions options)
    {
        _slides = slides;
        Width = width;
        Height = height;
        Fps = fps;
        _framesPerSlide = Math.Max(1, (int)Math.Round(options.SlideDuration.TotalSeconds * fps));
        _loop = options.Loop;
        _realtime = options.Realtime;
    }

    public int Width { get; }
    public int Height { get; }
    public double Fps { get; }
    public string? Error => null;

    public static SlideshowProducer Open(SourceSpec spec, FrameSourceOptions options)
    {
        var files = Directory.EnumerateFiles(spec.Location)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw FaceKitException.BadInput($"{spec.Location}: no images for a slideshow");
        var loader = new ImageLoader();
        var images = files.Select(loader.Load).ToList();
        int width = options.Width > 0 ? options.Width : 640, height = options.Height > 0 ? options.Height : 480;
        var slides = images.Select(i => Letterbox(i, width, height).Array).ToArray();
        return new SlideshowProducer(slides, width, height, options.Fps > 0 ? options.Fps : 25, options);
    }

    public bool Read(byte[] frame, CancellationToken cancel)
    {
        long slide = _emitted / _framesPerSlide;
        if (!_loop && slide >= _slides.Length) return false;
        if (_realtime)
        {
            var due = TimeSpan.FromSeconds(_emitted / Fps) - _clock.Elapsed;
            if (due > TimeSpan.Zero && cancel.WaitHandle.WaitOne(due)) return false;
        }
        _slides[slide % _slides.Length].CopyTo(frame, 0);
        _emitted++;
        return true;
    }

    internal static ImageBuffer Letterbox(ImageBuffer image, int width, int height)
    {
        image = image.ToBgr();
        double scale = Math.Min((double)width / image.Width, (double)height / image.Height);
        int w = Math.Clamp((int)Math.Round(image.Width * scale), 1, width), h = Math.Clamp((int)Math.Round(image.Height * scale), 1, height);
        var resized = w == image.Width && h == image.Height ? image : MatConversion.Resize(image, w, h);
        int left = (width - w) / 2, top = (height - h) / 2;
        return MatConversion.Pad(resized, left, top, width - w - left, height - h - top, 0);
    }

    public void Dispose() { }
}
