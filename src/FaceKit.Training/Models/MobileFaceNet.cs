using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceKit.Training.Models;

/// <summary>One stage of inverted residual blocks: the first block has the stride and changes the channel count.</summary>
public sealed record BottleneckStage(int Channels, int Stride, int Blocks, int Expansion);

/// <summary>Shape of a MobileFaceNet-style backbone (112×112×3 in, 7×7×<see cref="OutputChannels"/> out).</summary>
public sealed record MobileFaceNetConfig
{
    public int StemChannels { get; init; } = 64;

    /// <summary>Whether the stem's depthwise 3×3 is followed by a pointwise 1×1 (the NPU variant) or not (the original).</summary>
    public bool StemPointwise { get; init; } = true;

    public required IReadOnlyList<BottleneckStage> Stages { get; init; }

    public int OutputChannels { get; init; } = 512;

    /// <summary>
    /// The NPU MobileFaceNet backbone: stem conv 3×3/2 → depthwise 3×3 → pointwise 1×1 at 56²×64, then
    /// 28²(128) → 14²(128) → 14²(128) → 7²(128), 1×1 to 512. Block counts and expansions follow MobileFaceNet's
    /// (5×t2, 1×t4, 6×t2, and its two 7² stages merged into 3×t2); they are parameters.
    /// </summary>
    public static MobileFaceNetConfig Npu { get; } = new()
    {
        StemPointwise = true,
        Stages = [new(128, 2, 5, 2), new(128, 2, 1, 4), new(128, 1, 6, 2), new(128, 2, 3, 2)],
    };

    /// <summary>
    /// A very small MobileFaceNet (16-channel stem, one block per stage, 32 channels, 64 out) for smoke tests and CI,
    /// where a real backbone's step takes seconds on two shared cores.
    /// </summary>
    public static MobileFaceNetConfig Tiny { get; } = new()
    {
        StemChannels = 16,
        StemPointwise = true,
        Stages = [new(32, 2, 1, 2), new(32, 2, 1, 2), new(32, 1, 1, 2), new(32, 2, 1, 2)],
        OutputChannels = 64,
    };

    /// <summary>MobileFaceNet as arXiv 1804.07573 Table 1 gives it.</summary>
    public static MobileFaceNetConfig Original { get; } = new()
    {
        StemPointwise = false,
        Stages = [new(64, 2, 5, 2), new(128, 2, 1, 4), new(128, 1, 6, 2), new(128, 2, 1, 4), new(128, 1, 2, 2)],
    };
}

/// <summary>MobileFaceNet backbone: 112×112×3 → 7×7×512, BatchNorm + PReLU throughout, linear bottleneck outputs.</summary>
public sealed class MobileFaceNetBackbone : Module<Tensor, Tensor>
{
    public readonly ConvBn stem;
    public readonly ConvBn stem_dw;
    public readonly ConvBn? stem_pw;
    public readonly Sequential blocks;
    public readonly ConvBn conv_out;

    public MobileFaceNetBackbone(MobileFaceNetConfig config) : base(nameof(MobileFaceNetBackbone))
    {
        int c = config.StemChannels;
        stem = new ConvBn(3, c, 3, 2, 1);
        stem_dw = new ConvBn(c, c, 3, 1, 1, groups: c);
        if (config.StemPointwise) stem_pw = new ConvBn(c, c, 1);
        var list = new List<(string, Module<Tensor, Tensor>)>();
        foreach (var stage in config.Stages)
            for (int b = 0; b < stage.Blocks; b++)
            {
                list.Add(($"{list.Count}", new InvertedResidual(c, stage.Channels, b == 0 ? stage.Stride : 1, stage.Expansion, Activation.PReLU)));
                c = stage.Channels;
            }
        blocks = Sequential(list);
        conv_out = new ConvBn(c, config.OutputChannels, 1);
        OutputChannels = config.OutputChannels;
        RegisterComponents();
    }

    public int OutputChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = stem_dw.forward(stem.forward(x));
        if (stem_pw is not null) y = stem_pw.forward(y);
        return conv_out.forward(blocks.forward(y)).MoveToOuterDisposeScope();
    }
}
