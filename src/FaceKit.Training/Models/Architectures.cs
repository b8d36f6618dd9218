using FaceKit.Core.Errors;

namespace FaceKit.Training.Models;

/// <summary>What a checkpoint records to rebuild its network: the architecture's name and embedding size.</summary>
public sealed record ArchitectureSpec(string Name, int EmbeddingSize);

/// <summary>The architectures selectable by name (`facekit train --arch NAME`).</summary>
public static class Architectures
{
    private sealed record Entry(string Description, int DefaultEmbedding, Func<int, FaceModel> Create);

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mobilefacenet"] = new("MobileFaceNet as arXiv 1804.07573 gives it (GDConv head)", 128,
            e => Build("mobilefacenet", e, new MobileFaceNetBackbone(MobileFaceNetConfig.Original), HeadKind.Gdc)),
        ["mobilefacenet-v1"] = new("NPU MobileFaceNet backbone, head v1: 7×7 depthwise → 1×1 512 → 1×1 embedding", 128,
            e => Build("mobilefacenet-v1", e, new MobileFaceNetBackbone(MobileFaceNetConfig.Npu), HeadKind.V1)),
        ["mobilefacenet-v2"] = new("NPU MobileFaceNet backbone, head v2: three 3×3/2 depthwise → 1×1 512 → 1×1 embedding", 128,
            e => Build("mobilefacenet-v2", e, new MobileFaceNetBackbone(MobileFaceNetConfig.Npu), HeadKind.V2)),
        ["mobilefacenet-v3"] = new("NPU MobileFaceNet backbone, head v3: global average pool → 1×1 embedding", 128,
            e => Build("mobilefacenet-v3", e, new MobileFaceNetBackbone(MobileFaceNetConfig.Npu), HeadKind.V3)),
        ["tiny"] = new("a very small MobileFaceNet-v3 (16–64 channels, one block per stage) for smoke tests", 32,
            e => Build("tiny", e, new MobileFaceNetBackbone(MobileFaceNetConfig.Tiny), HeadKind.V3)),
        ["mobilenetv2"] = new("MobileNetV2 (7×7×512 variant) with the GDConv head", 512,
            e => Build("mobilenetv2", e, new MobileNetV2Backbone(512), HeadKind.Gdc)),
        ["iresnet50"] = new("IR-ResNet-50 (InsightFace iresnet50)", 512,
            e => new FaceModel(new ArchitectureSpec("iresnet50", e), new IResNet(IResNet.Layers50, e), null)),
    };

    public static IReadOnlyCollection<string> Names => Entries.Keys;

    public static string Describe(string name) => Find(name).Description;

    public static int DefaultEmbeddingSize(string name) => Find(name).DefaultEmbedding;

    /// <summary>A freshly initialised network (weights from torch's current RNG: seed it first for repeatability).</summary>
    public static FaceModel Create(string name, int? embeddingSize = null)
    {
        var entry = Find(name);
        int e = embeddingSize ?? entry.DefaultEmbedding;
        if (e <= 0) throw FaceKitException.BadInput($"embedding size must be positive, not {e}");
        return entry.Create(e);
    }

    public static FaceModel Create(ArchitectureSpec spec) => Create(spec.Name, spec.EmbeddingSize);

    private static Entry Find(string name) =>
        Entries.TryGetValue(name, out var entry)
            ? entry
            : throw FaceKitException.BadInput($"unknown architecture '{name}' (known: {string.Join(", ", Entries.Keys)})");

    private static FaceModel Build(string name, int embedding, MobileFaceNetBackbone backbone, HeadKind head) =>
        new(new ArchitectureSpec(name, embedding), backbone, new EmbeddingHead(head, backbone.OutputChannels, embedding));

    private static FaceModel Build(string name, int embedding, MobileNetV2Backbone backbone, HeadKind head) =>
        new(new ArchitectureSpec(name, embedding), backbone, new EmbeddingHead(head, backbone.OutputChannels, embedding));
}
