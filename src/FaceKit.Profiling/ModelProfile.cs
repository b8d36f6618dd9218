using FaceKit.Profiling.Analysis;
using FaceKit.Profiling.Latency;
using FaceKit.Profiling.Targets;

namespace FaceKit.Profiling;

/// <summary>How to profile: input sizes for dynamic models, the target, and the assumptions that are choices.</summary>
public sealed record ProfileOptions
{
    /// <summary>Shapes for inputs with dynamic dimensions (name → dims). A dynamic batch alone needs none: it is 1.</summary>
    public IReadOnlyDictionary<string, long[]>? InputShapes { get; init; }

    /// <summary>The target whose rules decide placement, precision and per-op overhead; null = no placement.</summary>
    public TargetProfile? Target { get; init; }

    /// <summary>Evaluate a float model as if it were quantised to int8 with QDQ (for an int8-only target).</summary>
    public bool AssumeInt8 { get; init; }

    /// <summary>Bytes per activation element; null = the target's, else each tensor's own type.</summary>
    public double? ActivationBytes { get; init; }

    /// <summary>Flash overhead per counted node when no target gives one (code + descriptors; an assumption, stated).</summary>
    public long FlashBytesPerOp { get; init; } = 512;

    /// <summary>A label for the model in reports (default: the file name).</summary>
    public string? Label { get; init; }
}

/// <summary>Everything FaceKit measured or estimated about one model.</summary>
public sealed record ModelProfile
{
    public required string Model { get; init; }
    public string Producer { get; init; } = "";
    public long Opset { get; init; }
    public required IReadOnlyList<TensorSummary> Inputs { get; init; }
    public required IReadOnlyList<TensorSummary> Outputs { get; init; }
    /// <summary>True when weights are stored in 8 bits or fewer (a QDQ or integer-op model).</summary>
    public bool Quantized { get; init; }
    public long Macc { get; init; }
    public long Params { get; init; }
    public required WeightBytes Weights { get; init; }
    public required MemoryEstimate Memory { get; init; }
    public int Nodes { get; init; }
    public int CountedNodes { get; init; }
    public required IReadOnlyList<LayerProfile> Layers { get; init; }
    /// <summary>Op types without a shape or cost rule (their MACC counts 0 and is flagged).</summary>
    public IReadOnlyList<string> UnknownOps { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
    public TargetReport? Target { get; init; }
    public LatencyResult? Latency { get; init; }
    public IReadOnlyList<string> Formulas { get; init; } = OpCost.Formulas;
}

public sealed record TensorSummary(string Name, string Type, long[]? Shape, long? Bytes);

/// <summary>Weight bytes at each precision. Int8FromModel: the int8 figure is the model's real initializer bytes.</summary>
public sealed record WeightBytes(long Fp32, long Fp16, long Int8, bool Int8FromModel, long Stored);

public sealed record MemoryEstimate
{
    public long ActivationPeakBytes { get; init; }
    /// <summary>The node running when the peak is reached (null for a graph without intermediate tensors).</summary>
    public string? PeakLayer { get; init; }
    public int PeakLayerIndex { get; init; } = -1;
    /// <summary>Bytes per activation element used (null = each tensor's own type).</summary>
    public double? ActivationBytes { get; init; }
    public long InputBytes { get; init; }
    public long OutputBytes { get; init; }
    public long RamBytes { get; init; }
    public string WeightPrecision { get; init; } = "stored";
    public long FlashWeightBytes { get; init; }
    public long FlashBytesPerOp { get; init; }
    public long FlashOverheadBytes { get; init; }
    public long FlashBytes { get; init; }
}

/// <summary>One scheduled node. LiveBytes: activation bytes alive while it runs (the peak is the largest).</summary>
public sealed record LayerProfile
{
    public int Index { get; init; }
    public required string Name { get; init; }
    public required string OpType { get; init; }
    public string OutputShape { get; init; } = "?";
    public long Macc { get; init; }
    /// <summary>False when a shape the MACC needs was unknown or the op has no cost rule.</summary>
    public bool MaccKnown { get; init; } = true;
    public long Params { get; init; }
    public long WeightBytes { get; init; }
    public long OutputBytes { get; init; }
    public long LiveBytes { get; init; }
    public bool InPlace { get; init; }
    /// <summary>False for nodes a deployment removes (Identity, Dropout, Q/DQ).</summary>
    public bool Counted { get; init; } = true;
    public string? Kernel { get; init; }
    /// <summary>"accelerator" or "host" under the target; null without a target or for uncounted nodes.</summary>
    public string? Placement { get; init; }
    public string? FallbackRule { get; init; }
}

public sealed record TargetReport
{
    public required string Name { get; init; }
    public string Title { get; init; } = "";
    public string Accelerator { get; init; } = "";
    public string Host { get; init; } = "";
    public int Nodes { get; init; }
    public int AcceleratedNodes { get; init; }
    /// <summary>Share of counted nodes mapped to the accelerator, 0–1.</summary>
    public double NodeRate { get; init; }
    public long Macc { get; init; }
    public long AcceleratedMacc { get; init; }
    /// <summary>Share of MACC mapped to the accelerator, 0–1.</summary>
    public double MaccRate { get; init; }
    /// <summary>Changes of engine between consecutive counted nodes in schedule order.</summary>
    public int Transitions { get; init; }
    public bool AssumedInt8 { get; init; }
    public required IReadOnlyList<FallbackNode> Fallbacks { get; init; }
}

public sealed record FallbackNode(int Index, string Node, string OpType, string Rule, string Reason, string Source);
