using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using FaceKit.Core.Errors;

namespace FaceKit.Profiling.Targets;

/// <summary>
/// What one accelerator runs: the ops it maps, rules that send a node back to the host CPU, the precision its
/// weights and activations are stored at, and a per-op flash overhead. Every rule carries the source it comes
/// from. Loaded from JSON (snake_case); FaceKit ships stm32n6-npu, jetson-tensorrt and cpu.
/// </summary>
public sealed record TargetProfile
{
    public required string Name { get; init; }
    public string Title { get; init; } = "";
    /// <summary>The engine nodes are offloaded to (an NPU, TensorRT, …).</summary>
    public string Accelerator { get; init; } = "accelerator";
    /// <summary>Where fallback nodes run.</summary>
    public string Host { get; init; } = "CPU";
    /// <summary>fp32, fp16, int8 or stored (the model's own initializer types): the weight bytes flash is sized at.</summary>
    public string WeightPrecision { get; init; } = "stored";
    /// <summary>Bytes per activation element on this target; null = each tensor's own type.</summary>
    public double? ActivationBytes { get; init; }
    public long FlashBytesPerOp { get; init; }
    public string FlashBytesPerOpSource { get; init; } = "";
    /// <summary>Op types the accelerator maps; ["*"] = every op.</summary>
    public IReadOnlyList<string> SupportedOps { get; init; } = ["*"];
    public string SupportedOpsSource { get; init; } = "";
    public IReadOnlyList<TargetRule> Rules { get; init; } = [];

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public bool Supports(string op) => SupportedOps.Contains("*") || SupportedOps.Contains(op);

    public static TargetProfile Parse(string json, string origin = "target profile")
    {
        TargetProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<TargetProfile>(json, Json);
        }
        catch (JsonException e)
        {
            throw FaceKitException.BadInput($"{origin}: not a valid target profile ({e.Message})", e);
        }
        if (profile is null) throw FaceKitException.BadInput($"{origin}: empty target profile");
        foreach (var rule in profile.Rules) rule.Validate(origin);
        if (profile.WeightPrecision is not ("fp32" or "fp16" or "int8" or "stored"))
            throw FaceKitException.BadInput($"{origin}: weight_precision must be fp32, fp16, int8 or stored, not '{profile.WeightPrecision}'");
        return profile;
    }

    /// <summary>The built-in profile of that name, or the JSON file at that path.</summary>
    public static TargetProfile Resolve(string nameOrPath)
    {
        if (Builtin(nameOrPath) is { } builtin) return builtin;
        if (File.Exists(nameOrPath)) return Parse(File.ReadAllText(nameOrPath), nameOrPath);
        throw FaceKitException.BadInput($"unknown target '{nameOrPath}': not a built-in profile ({string.Join(", ", BuiltinNames)}) nor a JSON file");
    }

    private const string ResourcePrefix = "FaceKit.Profiling.Targets.";

    public static IReadOnlyList<string> BuiltinNames { get; } = typeof(TargetProfile).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^".json".Length]).Order(StringComparer.Ordinal).ToArray();

    public static TargetProfile? Builtin(string name)
    {
        using var stream = typeof(TargetProfile).Assembly.GetManifestResourceStream(ResourcePrefix + name + ".json");
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), $"built-in target {name}");
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>
/// One constraint: a node whose op is in <see cref="Ops"/> and that breaks the rule runs on the host.
/// Kinds: requires_int8, unsupported, max_kernel (max_h, max_w, max_w_by_stride), max_stride (max),
/// max_dilation (max), window (min, max: pool windows; a global pool's window is its input's spatial size),
/// foldable (producers: the node must follow one of them alone, so the compiler can fold it in),
/// constant_inputs (inputs: indices that must be initializers), spatial_dims (values: allowed counts),
/// max_outputs (max: connected outputs).
/// </summary>
public sealed record TargetRule
{
    public required string Id { get; init; }
    public IReadOnlyList<string> Ops { get; init; } = ["*"];
    public required string Kind { get; init; }
    /// <summary>Where the rule comes from: a document and section, or a stated assumption.</summary>
    public required string Source { get; init; }
    public string? Note { get; init; }
    public long? Max { get; init; }
    public long? Min { get; init; }
    public long? MaxH { get; init; }
    public long? MaxW { get; init; }
    /// <summary>Kernel width limit per horizontal stride ("1": 3, "2": 5 …); strides not listed use max_w.</summary>
    public IReadOnlyDictionary<string, long>? MaxWByStride { get; init; }
    public IReadOnlyList<string>? Producers { get; init; }
    public IReadOnlyList<int>? Inputs { get; init; }
    public IReadOnlyList<int>? Values { get; init; }

    public static readonly IReadOnlyList<string> Kinds =
        ["requires_int8", "unsupported", "max_kernel", "max_stride", "max_dilation", "window", "foldable", "constant_inputs", "spatial_dims", "max_outputs"];

    public bool AppliesTo(string op) => Ops.Contains("*") || Ops.Contains(op);

    internal void Validate(string origin)
    {
        if (!Kinds.Contains(Kind))
            throw FaceKitException.BadInput($"{origin}: rule '{Id}' has unknown kind '{Kind}' (known: {string.Join(", ", Kinds)})");
        if (string.IsNullOrWhiteSpace(Source))
            throw FaceKitException.BadInput($"{origin}: rule '{Id}' names no source");
        bool ok = Kind switch
        {
            "max_kernel" => MaxH is not null || MaxW is not null || MaxWByStride is not null,
            "max_stride" or "max_dilation" or "max_outputs" => Max is not null,
            "window" => Max is not null || Min is not null,
            "foldable" => Producers is { Count: > 0 },
            "constant_inputs" => Inputs is { Count: > 0 },
            "spatial_dims" => Values is { Count: > 0 },
            _ => true,
        };
        if (!ok) throw FaceKitException.BadInput($"{origin}: rule '{Id}' of kind {Kind} is missing its limit");
    }
}
