using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceKit.Training.Models;

/// <summary>
/// MobileNetV2 (width 1.0, ReLU6, BN) adapted to 112×112 faces: the 160-channel stage keeps stride 1 so the map
/// stays 7×7 (the ImageNet net would end at 4×4), and the last 1×1 conv gives 512 channels instead of 1280, so the
/// same embedding heads as MobileFaceNet apply.
/// </summary>
public sealed class MobileNetV2Backbone : Module<Tensor, Tensor>
{
    /// <summary>(expansion t, channels c, blocks n, stride s) as in the MobileNetV2 paper, Table 2, last stride 2 → 1.</summary>
    public static readonly (int T, int C, int N, int S)[] Settings =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 1), (6, 320, 1, 1)];

    public readonly ConvBn stem;
    public readonly Sequential blocks;
    public readonly ConvBn conv_out;

    public MobileNetV2Backbone(int outputChannels = 512) : base(nameof(MobileNetV2Backbone))
    {
        stem = new ConvBn(3, 32, 3, 2, 1, activation: Activation.ReLU6);
        var list = new List<(string, Module<Tensor, Tensor>)>();
        int c = 32;
        foreach (var (t, channels, n, s) in Settings)
            for (int i = 0; i < n; i++)
            {
                list.Add(($"{list.Count}", new InvertedResidual(c, channels, i == 0 ? s : 1, t, Activation.ReLU6)));
                c = channels;
            }
        blocks = Sequential(list);
        conv_out = new ConvBn(c, outputChannels, 1, activation: Activation.ReLU6);
        OutputChannels = outputChannels;
        RegisterComponents();
    }

    public int OutputChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return conv_out.forward(blocks.forward(stem.forward(x))).MoveToOuterDisposeScope();
    }
}
