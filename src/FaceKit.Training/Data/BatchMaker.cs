using TorchSharp;
using static TorchSharp.torch;

namespace FaceKit.Training.Data;

/// <summary>
/// Model input normalisation, the same for training, validation and the exported model: BGR planes,
/// (v − 127.5) / 128, as InsightFace's recognition models expect.
/// </summary>
public static class InputNormalization
{
    public const float Mean = 127.5f;
    public const float Scale = 128f;
    public const string Channels = "BGR";
}

/// <summary>Builds NCHW float batches from dataset crops, optionally mirrored.</summary>
public static class BatchMaker
{
    public static Tensor Images(FaceDataset data, ReadOnlySpan<int> indices, ReadOnlySpan<bool> flip)
    {
        const int side = FaceDataset.Side, plane = side * side;
        var buffer = new float[indices.Length * 3 * plane];
        for (int b = 0; b < indices.Length; b++)
        {
            var crop = data.Crop(indices[b]);
            var dst = buffer.AsSpan(b * 3 * plane, 3 * plane);
            bool mirror = !flip.IsEmpty && flip[b];
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                {
                    int sx = mirror ? side - 1 - x : x;
                    int s = (y * side + sx) * 3, d = y * side + x;
                    dst[d] = (crop[s] - InputNormalization.Mean) / InputNormalization.Scale;
                    dst[plane + d] = (crop[s + 1] - InputNormalization.Mean) / InputNormalization.Scale;
                    dst[2 * plane + d] = (crop[s + 2] - InputNormalization.Mean) / InputNormalization.Scale;
                }
        }
        return tensor(buffer, [indices.Length, 3, side, side]);
    }

    public static Tensor Labels(FaceDataset data, ReadOnlySpan<int> indices)
    {
        var labels = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++) labels[i] = data.Labels[indices[i]];
        return tensor(labels);
    }

    /// <summary>The teacher's embeddings of the same crops, mirrored ones taken from the mirrored pass.</summary>
    public static Tensor Teacher(FaceDataset data, ReadOnlySpan<int> indices, ReadOnlySpan<bool> flip)
    {
        int d = data.TeacherDimension;
        var buffer = new float[indices.Length * d];
        for (int b = 0; b < indices.Length; b++)
        {
            var source = !flip.IsEmpty && flip[b] ? data.TeacherFlipped! : data.Teacher!;
            source.AsSpan(indices[b] * d, d).CopyTo(buffer.AsSpan(b * d, d));
        }
        return tensor(buffer, [indices.Length, d]);
    }
}
