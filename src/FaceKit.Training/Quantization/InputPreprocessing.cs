using System.Globalization;
using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Models;
using FaceKit.Onnx;
using FaceKit.Training.Export;

namespace FaceKit.Training.Quantization;

/// <summary>
/// How an aligned face becomes the model's input: value = (pixel − mean) / scale in the given channel order,
/// NCHW planes or NHWC interleaved. The same normalisation the embedder applies at inference, so calibration sees
/// the activations the quantised model will see.
/// </summary>
public sealed record InputPreprocessing(int Size, string Layout, string Channels, float Mean, float Scale)
{
    public int ChannelCount => Channels == "GRAY" ? 1 : 3;

    public int Elements => ChannelCount * Size * Size;

    /// <summary>The values pixels 0..255 normalise to.</summary>
    public TensorRange PixelRange
    {
        get
        {
            float a = (0 - Mean) / Scale, b = (255 - Mean) / Scale;
            return new TensorRange(Math.Min(a, b), Math.Max(a, b));
        }
    }

    public static InputPreprocessing From(ModelInfo model) => Create(model.Input[0], model.Layout, model.Channels, model.Mean, model.Scale);

    /// <summary>Validated constructor: layout NCHW|NHWC, channels RGB|BGR|GRAY, a non-zero scale.</summary>
    public static InputPreprocessing Create(int size, string layout, string channels, float mean, float scale)
    {
        layout = layout.ToUpperInvariant();
        channels = channels.ToUpperInvariant();
        if (layout is not ("NCHW" or "NHWC")) throw FaceKitException.BadInput($"layout must be NCHW or NHWC, not '{layout}'");
        if (channels is not ("RGB" or "BGR" or "GRAY")) throw FaceKitException.BadInput($"channels must be RGB, BGR or GRAY, not '{channels}'");
        if (scale == 0 || !float.IsFinite(scale) || !float.IsFinite(mean)) throw FaceKitException.BadInput($"scale must be a non-zero number (mean {mean}, scale {scale})");
        if (size is < 8 or > 1024) throw FaceKitException.BadInput($"input size {size} is not a face crop size");
        return new InputPreprocessing(size, layout, channels, mean, scale);
    }

    /// <summary>The normalisation `facekit export` recorded in the model's metadata_props; null when it recorded none.</summary>
    public static InputPreprocessing? FromMetadata(OnnxModel model)
    {
        string? mean = model.MetadataValue(FaceModelExporter.MetadataKeys.Mean), scale = model.MetadataValue(FaceModelExporter.MetadataKeys.Scale);
        string? channels = model.MetadataValue(FaceModelExporter.MetadataKeys.Channels);
        if (mean is null || scale is null || channels is null) return null;
        string layout = model.MetadataValue(FaceModelExporter.MetadataKeys.Layout) ?? "NCHW";
        string size = model.MetadataValue(FaceModelExporter.MetadataKeys.InputSize) ?? FaceModelExporter.InputSide.ToString(CultureInfo.InvariantCulture);
        return Create(int.Parse(size, CultureInfo.InvariantCulture), layout, channels,
            float.Parse(mean, CultureInfo.InvariantCulture), float.Parse(scale, CultureInfo.InvariantCulture));
    }

    /// <summary>Checks the model's declared input shape agrees with this layout and size (dynamic dims pass).</summary>
    public void CheckAgainst(OnnxValueInfo input)
    {
        if (input.Shape is not { Count: 4 } s) return;
        long?[] expected = Layout == "NCHW" ? [null, ChannelCount, Size, Size] : [null, Size, Size, ChannelCount];
        for (int i = 1; i < 4; i++)
            if (s[i].Value is { } d && expected[i] is { } e && d != e)
                throw FaceKitException.BadInput(
                    $"the model's input '{input.Name}' is [{string.Join("×", s)}], not {Layout} with {ChannelCount} channel(s) of {Size}×{Size}; give --layout/--channels to match it");
    }

    /// <summary>Writes one face into <paramref name="destination"/> (<see cref="Elements"/> floats).</summary>
    public void Fill(ImageBuffer face, Span<float> destination)
    {
        if (face.Width != Size || face.Height != Size)
            throw new ArgumentException($"face is {face.Width}×{face.Height}, the model wants {Size}×{Size}");
        float inverse = 1f / Scale;
        if (Channels == "GRAY")
        {
            TensorFill.Gray(face, destination[..(Size * Size)], Mean, inverse);
            return;
        }
        if (Layout == "NCHW")
        {
            TensorFill.Planar(face, destination, Mean, inverse, rgb: Channels == "RGB");
            return;
        }
        bool swap = (Channels == "RGB") != (face.Format == PixelFormat.Rgb24);
        for (int y = 0; y < Size; y++)
        {
            var row = face.Row(y);
            var dst = destination.Slice(y * Size * 3, Size * 3);
            for (int x = 0; x < Size; x++)
            {
                if (face.Format == PixelFormat.Gray8)
                {
                    float v = (row[x] - Mean) * inverse;
                    dst[3 * x] = v; dst[3 * x + 1] = v; dst[3 * x + 2] = v;
                    continue;
                }
                byte a = row[3 * x], b = row[3 * x + 1], c = row[3 * x + 2];
                dst[3 * x] = ((swap ? c : a) - Mean) * inverse;
                dst[3 * x + 1] = (b - Mean) * inverse;
                dst[3 * x + 2] = ((swap ? a : c) - Mean) * inverse;
            }
        }
    }
}
