using FaceKit.Core.Errors;
using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Models;
using FaceKit.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace FaceKit.Inference.Liveness;

/// <summary>Options of the presentation-attack check.</summary>
public sealed record LivenessOptions
{
    /// <summary>
    /// A face is called live when its live probability reaches this. 0.5 is the plain arg-max of the
    /// model's two-way split (live vs not); it is NOT calibrated on attack data (none is available here).
    /// </summary>
    public float Threshold { get; init; } = 0.5f;

    /// <summary>Context around the face box the model was trained with (the reference code's 2.7).</summary>
    public float CropScale { get; init; } = 2.7f;
}

/// <summary>
/// One face's liveness: <see cref="Score"/> is the model's probability that the face is a live
/// person (softmax class 0, as the reference JavaScript reports it); <see cref="ClassProbabilities"/>
/// holds all three classes; <see cref="Crop"/> the region of the image the model saw.
/// </summary>
public sealed record LivenessResult(BoxF Face, float Score, bool IsLive, float Threshold, float[] ClassProbabilities, BoxF Crop);

/// <summary>
/// Presentation-attack detection with faceplugin's <c>fr_liveness.onnx</c>, pre- and post-processing as
/// in the package's <c>lib/fr_liveness.js</c>: the detector's box is scaled by 2.7 about its centre
/// (less when the image is too small), shifted to lie inside the image, cut out, resized to 128×128
/// (bilinear), fed as raw 0..255 RGB planes (NCHW); the output named "output" goes through softmax and
/// element 0 is the live score. Thread-safe (one shared ONNX Runtime session).
/// </summary>
public sealed class LivenessChecker : IDisposable
{
    public const string DefaultModel = "liveness";
    private readonly InferenceSession _session;
    private readonly ModelInfo _model;
    private readonly LivenessOptions _options;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly int _size;

    public LivenessChecker(InferenceSession session, ModelInfo model, LivenessOptions? options = null)
    {
        if (model.Role != ModelRole.Liveness) throw FaceKitException.BadInput($"model {model.Id} is a {model.Role} model, not a liveness model");
        _session = session;
        _model = model;
        _options = options ?? new LivenessOptions();
        if (!(_options.Threshold is >= 0 and <= 1)) throw FaceKitException.BadInput($"liveness threshold must be in 0..1, not {_options.Threshold}");
        if (!(_options.CropScale is >= 1 and <= 10)) throw FaceKitException.BadInput($"liveness crop scale must be in 1..10, not {_options.CropScale}");
        _inputName = session.InputMetadata.First().Key;
        _outputName = session.OutputMetadata.ContainsKey("output") ? "output" : session.OutputMetadata.First().Key;
        _size = model.Input[0];
    }

    /// <summary>Builds the checker from the installed model files (ModelMissing when not installed).</summary>
    public static LivenessChecker Create(string modelDirectory, InferenceOptions? inference = null, LivenessOptions? options = null,
        string model = DefaultModel, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var manifest = ModelManifest.Default;
        var info = manifest.Find(model, ModelRole.Liveness);
        var path = new ModelStore(modelDirectory, manifest).Require(info);
        var session = new OnnxSessionFactory(inference ?? new InferenceOptions(), logger).Create(path);
        try
        {
            return new LivenessChecker(session, info, options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public string ModelId => _model.Id;

    public float Threshold => _options.Threshold;

    /// <summary>The liveness of the face in <paramref name="face"/> (a detector box, in pixels of <paramref name="image"/>).</summary>
    public LivenessResult Check(ImageBuffer image, BoxF face)
    {
        ArgumentNullException.ThrowIfNull(image);
        var crop = CropBox(image.Width, image.Height, face, _options.CropScale)
            ?? throw FaceKitException.BadInput($"face box {face} does not lie in the {image.Width}x{image.Height} image");
        var input = new DenseTensor<float>([1, 3, _size, _size]);
        using (var src = MatConversion.Wrap(image, out var handle))
        {
            try
            {
                using var roi = new Mat(src, new Rect((int)crop.X1, (int)crop.Y1, (int)(crop.X2 - crop.X1), (int)(crop.Y2 - crop.Y1)));
                using var resized = new Mat();
                Cv2.Resize(roi, resized, new Size(_size, _size), 0, 0, InterpolationFlags.Linear);
                TensorFill.Planar(MatConversion.ToImageBuffer(resized), input.Buffer.Span, _model.Mean, 1f / _model.Scale, rgb: _model.Channels == "RGB");
            }
            finally
            {
                handle.Free();
            }
        }
        using var outputs = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, input)], [_outputName]);
        var logits = ((DenseTensor<float>)outputs[0].Value).Buffer.Span.ToArray();
        var probabilities = Softmax(logits);
        float score = probabilities[0];
        return new LivenessResult(face, score, score >= _options.Threshold, _options.Threshold, probabilities, crop);
    }

    /// <summary>
    /// The reference crop (fr_liveness.js alignLivenessImage) in whole pixels, or null for a box that
    /// does not overlap the image or has no area.
    /// </summary>
    public static BoxF? CropBox(int width, int height, BoxF face, float scaleValue)
    {
        // The reference truncates the detector's corners to integers first.
        float x = (int)face.X1, y = (int)face.Y1;
        float boxW = Math.Abs((int)face.X2 - (int)face.X1), boxH = Math.Abs((int)face.Y2 - (int)face.Y1);
        if (!(boxW >= 1 && boxH >= 1) || width < 2 || height < 2) return null;
        if (x >= width || y >= height || x + boxW <= 0 || y + boxH <= 0) return null;
        float scale = Math.Min((height - 1) / boxH, Math.Min((width - 1) / boxW, scaleValue));
        float newW = boxW * scale, newH = boxH * scale;
        float cx = boxW / 2 + x, cy = boxH / 2 + y;
        float left = cx - newW / 2, top = cy - newH / 2, right = cx + newW / 2, bottom = cy + newH / 2;
        if (left < 0) { right -= left; left = 0; }
        if (top < 0) { bottom -= top; top = 0; }
        if (right > width - 1) { left -= right - width + 1; right = width - 1; }
        if (bottom > height - 1) { top -= bottom - height + 1; bottom = height - 1; }
        int rx = Math.Max((int)left, 0), ry = Math.Max((int)top, 0);
        int rw = Math.Min((int)(right - left), width - 1), rh = Math.Min((int)(bottom - top), height - 1);
        // Never past the image edge (the reference relies on OpenCV.js to complain).
        rw = Math.Min(rw, width - rx);
        rh = Math.Min(rh, height - ry);
        if (rw < 1 || rh < 1) return null;
        return new BoxF(rx, ry, rx + rw, ry + rh);
    }

    private static float[] Softmax(float[] logits)
    {
        float max = logits.Max();
        var e = logits.Select(v => MathF.Exp(v - max)).ToArray();
        float sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    public void Dispose() => _session.Dispose();
}
