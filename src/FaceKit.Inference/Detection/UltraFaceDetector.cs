using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceKit.Inference.Detection;

/// <summary>
/// The Ultra-Light-Fast RFB-320 detector (fr_detect.onnx): the image stretched to 320×240, RGB,
/// (v−127)/128. Its boxes come out already decoded and normalised, so there are no anchors to apply.
/// </summary>
public sealed class UltraFaceDetector : IFaceDetector
{
    private const int InputWidth = 320, InputHeight = 240;
    private readonly InferenceSession _session;
    private readonly DetectorOptions _options;

    public UltraFaceDetector(InferenceSession session, string modelId, DetectorOptions? options = null)
    {
        _session = session;
        ModelId = modelId;
        _options = options ?? new DetectorOptions();
    }

    public string ModelId { get; }

    public IReadOnlyList<FaceBox> Detect(ImageBuffer image)
    {
        // No face fits in a sliver (a 60000×1 "photo"), and bordering one would allocate gigabytes.
        if (Math.Min(image.Width, image.Height) < _options.MinFaceSize) return [];
        bool small = Math.Max(image.Width, image.Height) <= _options.AlwaysBorderMaxSide;
        var faces = small ? DetectWithBorder(image, _options.ScoreThreshold) : [];
        if (faces.Count == 0 && small && _options.RetryWithBorder) faces = DetectWithBorder(image, _options.RetryScoreThreshold);
        if (faces.Count == 0)
        {
            var candidates = new List<FaceBox>();
            RunWhole(image, candidates);
            if (_options.TileAboveInputMultiple > 0 &&
                (image.Width > InputWidth * _options.TileAboveInputMultiple || image.Height > InputHeight * _options.TileAboveInputMultiple))
                RunTiles(image, candidates);
            faces = NonMaxSuppression.Apply(candidates, _options.NmsIou, _options.TopK);
        }
        if (faces.Count == 0 && !small && _options.RetryWithBorder) faces = DetectWithBorder(image, _options.RetryScoreThreshold);
        faces.RemoveAll(f => f.Box.Width < _options.MinFaceSize || f.Box.Height < _options.MinFaceSize);
        if (faces.Count == 0 && Math.Max(image.Width, image.Height) <= _options.CropFallbackMaxSide)
            faces.Add(new FaceBox(new BoxF(0, 0, image.Width, image.Height), 0f));
        return faces;
    }

    private List<FaceBox> DetectWithBorder(ImageBuffer image, float threshold)
    {
        int border = (int)(Math.Max(image.Width, image.Height) * _options.BorderFraction);
        var padded = MatConversion.Pad(image, border, border, border, border, 127);
        var candidates = new List<FaceBox>();
        RunWhole(padded, candidates, threshold);
        var faces = NonMaxSuppression.Apply(candidates, _options.NmsIou, _options.TopK);
        for (int i = 0; i < faces.Count; i++)
            faces[i] = faces[i] with { Box = faces[i].Box.Offset(-border, -border).Clip(image.Width, image.Height) };
        return faces;
    }

    /// <summary>A 3×3 grid of half-size tiles (50 % overlap), each run at the model's input size.</summary>
    private void RunTiles(ImageBuffer image, List<FaceBox> candidates)
    {
        int tw = image.Width / 2, th = image.Height / 2;
        // A sliver (e.g. 60000×1) has no tiles worth searching; the whole view was searched already.
        if (tw < InputWidth / 4 || th < InputHeight / 4) return;
        for (int ty = 0; ty < 3; ty++)
        for (int tx = 0; tx < 3; tx++)
        {
            int x0 = tx * (image.Width - tw) / 2, y0 = ty * (image.Height - th) / 2;
            var tile = image.Crop(x0, y0, tw, th);
            int before = candidates.Count;
            RunWhole(tile, candidates);
            for (int i = before; i < candidates.Count; i++)
            {
                var b = candidates[i].Box;
                // A face cut by the tile edge is found whole in another tile or in the full view.
                bool touchesCut = (b.X1 <= 1 && x0 > 0) || (b.Y1 <= 1 && y0 > 0) ||
                                  (b.X2 >= tw - 1 && x0 + tw < image.Width) || (b.Y2 >= th - 1 && y0 + th < image.Height);
                candidates[i] = touchesCut ? default : candidates[i] with { Box = b.Offset(x0, y0) };
            }
            candidates.RemoveAll(c => c.Score == 0);
        }
    }

    private void RunWhole(ImageBuffer image, List<FaceBox> candidates) => RunWhole(image, candidates, _options.ScoreThreshold);

    private void RunWhole(ImageBuffer image, List<FaceBox> candidates, float threshold)
    {
        var resized = image.Width == InputWidth && image.Height == InputHeight ? image : MatConversion.Resize(image, InputWidth, InputHeight);
        var input = new DenseTensor<float>([1, 3, InputHeight, InputWidth]);
        TensorFill.Planar(resized, input.Buffer.Span, mean: 127f, scale: 1f / 128f, rgb: true);
        using var outputs = _session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        ReadOnlySpan<float> scores = ((DenseTensor<float>)outputs.First(o => o.Name == "scores").Value).Buffer.Span;
        ReadOnlySpan<float> boxes = ((DenseTensor<float>)outputs.First(o => o.Name == "boxes").Value).Buffer.Span;
        int n = scores.Length / 2;
        float w = image.Width, h = image.Height;
        for (int i = 0; i < n; i++)
        {
            float score = scores[2 * i + 1];
            if (score < threshold) continue;
            var box = new BoxF(boxes[4 * i] * w, boxes[4 * i + 1] * h, boxes[4 * i + 2] * w, boxes[4 * i + 3] * h).Clip(image.Width, image.Height);
            if (box.Width > 1 && box.Height > 1) candidates.Add(new FaceBox(box, score));
        }
    }

    public void Dispose() => _session.Dispose();
}
