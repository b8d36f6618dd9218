namespace FaceKit.Training.Quantization;

/// <summary>How an activation's range is taken from the calibration data.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen: nothing clips, one outlier can widen every step.</summary>
    MinMax,
    /// <summary>Each tail clipped at (100 − p) % of the values (histogram of 4096 bins): outliers saturate, the bulk gets finer steps.</summary>
    Percentile,
}

/// <summary>The integer type activations are stored in between QuantizeLinear and DequantizeLinear.</summary>
public enum ActivationType
{
    /// <summary>uint8, asymmetric (zero point 0..255): the full 8 bits cover a one-sided post-activation range.</summary>
    UInt8,
    /// <summary>int8, symmetric (zero point 0, scale = max|x|/127): what TensorRT requires.</summary>
    Int8,
    /// <summary>int8, asymmetric (zero point −128..127): ST Edge AI's "ss/sa" scheme for the Neural-ART NPU.</summary>
    Int8Asymmetric,
}

public static class ActivationTypes
{
    public static string Describe(this ActivationType t) => t switch
    {
        ActivationType.UInt8 => "uint8 asymmetric",
        ActivationType.Int8 => "int8 symmetric",
        _ => "int8 asymmetric",
    };
}

/// <summary>Which weights are stored in 7 bits (±63) instead of 8 (±127).</summary>
/// <remarks>
/// ONNX Runtime's x86 integer kernels without AVX-VNNI multiply uint8 activations by int8 weights with VPMADDUBSW,
/// which adds two products in a saturating int16: 255·127·2 overflows it, 255·63·2 = 32130 does not. Inner
/// activations sit mostly near their zero point so overflow is rare there, but a normalised image fills 0..255 and
/// the first convolution overflows often (measured on the default embedder: mean cosine to fp32 0.982 with 8-bit
/// first-layer weights, 0.986 with 7-bit). Other runtimes (TensorRT, NPUs, VNNI CPUs) do not saturate; 7 bits there
/// only costs one bit of the first layer's weights.
/// </remarks>
public enum ReducedRange
{
    None,
    /// <summary>Only ops that read the graph's input (the image) directly.</summary>
    Input,
    /// <summary>Every weight (ONNX Runtime's reduce_range).</summary>
    All,
}

/// <summary>Static post-training quantisation settings. The defaults are what `facekit quantize` uses.</summary>
public sealed record QuantizationOptions
{
    /// <summary>Ops whose constant weight is stored as per-channel int8; their activations get Q/DQ pairs.</summary>
    public IReadOnlyList<string> OpTypes { get; init; } = ["Conv", "Gemm", "MatMul"];

    /// <summary>Nodes (by name) left in fp32 although their op type is quantised: layers too sensitive for 8 bits.</summary>
    public IReadOnlyCollection<string> ExcludedNodes { get; init; } = [];

    public ActivationType Activations { get; init; } = ActivationType.UInt8;

    public ReducedRange ReducedRange { get; init; } = ReducedRange.Input;

    public CalibrationMethod Method { get; init; } = CalibrationMethod.Percentile;

    /// <summary>For <see cref="CalibrationMethod.Percentile"/>: the share of values kept inside the range at each end.</summary>
    public double Percentile { get; init; } = 99.99;

    /// <summary>Faces per ONNX Runtime call while calibrating, when the model takes a batch.</summary>
    public int CalibrationBatch { get; init; } = 4;

    /// <summary>ONNX Runtime intra-op threads while calibrating (0 = its default).</summary>
    public int Threads { get; init; }

    /// <summary>The default-domain opset the quantised model is written at (13: the first with per-axis DequantizeLinear).</summary>
    public const long MinimumOpset = 13;
}

/// <summary>The value range one tensor showed over the calibration set (after any percentile clipping).</summary>
public readonly record struct TensorRange(float Min, float Max);

/// <summary>A node the quantiser left in fp32, and why.</summary>
public readonly record struct SkippedNode(string Node, string OpType, string Reason);

/// <summary>What the quantiser did to the graph.</summary>
public sealed record QuantizationSummary
{
    public required int QuantizedNodes { get; init; }
    public required int QdqTensors { get; init; }
    public required IReadOnlyList<SkippedNode> Skipped { get; init; }
    /// <summary>Bytes of the weight and bias tensors of the quantised nodes before (fp32) and after (int8 + int32 + scales).</summary>
    public required long FloatWeightBytes { get; init; }
    public required long QuantizedWeightBytes { get; init; }
    public required long OpsetBefore { get; init; }
    public required long OpsetAfter { get; init; }
}
