using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceKit.Inference.Landmarks;

/// <summary>
/// The 68-point landmarker (fr_landmark.onnx): the detector box itself (clipped to the image), stretched to
/// 64×64 grey, v/256, as the package's reference code feeds it; 68 iBUG points in 0..1 of the crop, reduced
/// to the five ArcFace points. Measured on lfw-devtest (10-fold): box crop 99.10 %, square crop of side =
/// box height 98.60 %.
/// </summary>
public sealed class Landmark68Model(InferenceSession session, string modelId) : ILandmarker
{
    private const int Side = 64;

    public string ModelId { get; } = modelId;

    public Landmarks5 Locate(ImageBuffer image, BoxF box) => ToFivePoints(Locate68(image, box));

    public PointF[] Locate68(ImageBuffer image, BoxF box)
    {
        int x1 = Math.Clamp((int)box.X1, 0, image.Width - 1), y1 = Math.Clamp((int)box.Y1, 0, image.Height - 1);
        int x2 = Math.Clamp((int)MathF.Ceiling(box.X2), x1 + 1, image.Width), y2 = Math.Clamp((int)MathF.Ceiling(box.Y2), y1 + 1, image.Height);
        int w = x2 - x1, h = y2 - y1;

        var crop = image.Crop(x1, y1, w, h);
        var small = w == Side && h == Side ? crop : MatConversion.Resize(crop, Side, Side);

        var input = new DenseTensor<float>([1, 1, Side, Side]);
        TensorFill.Gray(small, input.Buffer.Span, mean: 0, scale: 1f / 256f);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        ReadOnlySpan<float> o = ((DenseTensor<float>)outputs[0].Value).Buffer.Span;
        var points = new PointF[68];
        for (int i = 0; i < 68; i++) points[i] = new PointF(x1 + o[2 * i] * w, y1 + o[2 * i + 1] * h);
        return points;
    }

    /// <summary>Eye centres from the six eye-contour points, nose tip, and mouth corners from outer and inner lips.</summary>
    public static Landmarks5 ToFivePoints(ReadOnlySpan<PointF> p) => new(
        Mean(p[37], p[38], p[40], p[41]), Mean(p[43], p[44], p[46], p[47]), p[30],
        Mean(p[48], p[60]), Mean(p[54], p[64]));

    private static PointF Mean(params ReadOnlySpan<PointF> points)
    {
        float x = 0, y = 0;
        foreach (var q in points) { x += q.X; y += q.Y; }
        return new(x / points.Length, y / points.Length);
    }

    public void Dispose() => session.Dispose();
}
