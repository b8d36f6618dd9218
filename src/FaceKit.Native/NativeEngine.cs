using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Inference;
using FaceKit.Inference.Models;

namespace FaceKit.Native;

/// <summary>What an fk_handle stands for: one shared, thread-safe pipeline and its threshold.</summary>
internal sealed class NativeEngine : IDisposable
{
    private const long MaxRawPixels = 50_000_000;

    private NativeEngine(FacePipeline pipeline, double threshold)
    {
        Pipeline = pipeline;
        Threshold = threshold;
    }

    public FacePipeline Pipeline { get; }
    public double Threshold { get; }
    public string ModelId => Pipeline.EmbedderId;

    public static NativeEngine Create(PipelineOptions options)
    {
        var embedder = new ModelStore(options.ModelDirectory).Find(options.Embedder, ModelRole.Embedder);
        var pipeline = FacePipeline.Create(options);
        // Through decimal so the float 0.33f of the manifest reads 0.33, not 0.33000001311302185.
        return new NativeEngine(pipeline, (double)(decimal)(embedder.Threshold ?? 0.33f));
    }

    public ImageBuffer Decode(ReadOnlySpan<byte> encoded, string name) => Pipeline.Loader.Decode(encoded, name);

    /// <summary>A copy of caller-owned raw pixels as an image, every size checked before the copy.</summary>
    public static unsafe ImageBuffer Raw(byte* pixels, nuint size, int width, int height, int stride, int format, string name)
    {
        if (pixels == null) throw NativeError.Argument($"{name}: pixels is NULL");
        var pf = format switch
        {
            PixelFormats.Bgr24 => PixelFormat.Bgr24,
            PixelFormats.Rgb24 => PixelFormat.Rgb24,
            PixelFormats.Gray8 => PixelFormat.Gray8,
            _ => throw NativeError.Argument($"{name}: unknown pixel format {format} (FK_PIXEL_BGR24=1, FK_PIXEL_RGB24=2, FK_PIXEL_GRAY8=3)"),
        };
        if (width <= 0 || height <= 0) throw new NativeError(Status.BadImage, $"{name}: size {width}x{height} is not positive");
        if ((long)width * height > MaxRawPixels) throw new NativeError(Status.BadImage, $"{name}: {width}x{height} is above the {MaxRawPixels / 1_000_000} MP limit");
        long row = (long)width * pf.BytesPerPixel();
        long step = stride == 0 ? row : stride;
        if (step < row) throw new NativeError(Status.BadImage, $"{name}: stride {stride} is smaller than a row ({row} bytes)");
        long needed = step * (height - 1) + row;
        if (needed > int.MaxValue) throw new NativeError(Status.BadImage, $"{name}: {needed} bytes of pixels is too large");
        if (size != 0 && (ulong)needed > size) throw new NativeError(Status.BadImage, $"{name}: {size} bytes is too small for {width}x{height} (needs {needed})");
        var copy = new byte[needed];
        new ReadOnlySpan<byte>(pixels, (int)needed).CopyTo(copy);
        return new ImageBuffer(width, height, pf, copy, (int)step).ToBgr();
    }

    /// <summary>The largest face and its embedding, or null when there is none.</summary>
    public RecognizedFace? Largest(ImageBuffer image)
    {
        var faces = Pipeline.Analyze(image, maxFaces: 1);
        return faces.Count > 0 ? faces[0] : null;
    }

    public static FkEyes Eyes(RecognizedFace? face)
    {
        if (face is null) return default;
        var f = face.Face;
        Landmarks5 l = f.Landmarks;
        return new FkEyes
        {
            FaceFound = 1,
            LeftEyeX = l.LeftEye.X, LeftEyeY = l.LeftEye.Y,
            RightEyeX = l.RightEye.X, RightEyeY = l.RightEye.Y,
            BoxX = f.Box.X1, BoxY = f.Box.Y1, BoxWidth = f.Box.Width, BoxHeight = f.Box.Height,
            Score = f.Score,
        };
    }

    /// <summary>Average of unit embeddings, re-normalised.</summary>
    public static Embedding Average(IReadOnlyList<Embedding> parts)
    {
        if (parts.Count == 1) return parts[0];
        var sum = new float[parts[0].Dimension];
        foreach (var e in parts)
        {
            if (e.ModelId != parts[0].ModelId || e.Dimension != sum.Length) throw new NativeError(Status.Internal, "embeddings of different models");
            System.Numerics.Tensors.TensorPrimitives.Add(sum, e.Vector, sum);
        }
        return new Embedding(sum, parts[0].ModelId);
    }

    public static FaceKitException NoFace(string name) => FaceKitException.NoFace($"{name}: no face found");

    public void Dispose() => Pipeline.Dispose();
}
