using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceKit.Training.Models;

/// <summary>
/// InsightFace's IBasicBlock: BN → conv 3×3 → BN → PReLU → conv 3×3 (stride) → BN, plus the identity (through a
/// 1×1 conv + BN where the shape changes). No activation after the sum.
/// </summary>
public sealed class IBasicBlock : Module<Tensor, Tensor>
{
    public readonly BatchNorm2d bn1;
    public readonly Conv2d conv1;
    public readonly BatchNorm2d bn2;
    public readonly PReLU prelu;
    public readonly Conv2d conv2;
    public readonly BatchNorm2d bn3;
    public readonly ConvBn? downsample;

    public IBasicBlock(long inplanes, long planes, long stride) : base(nameof(IBasicBlock))
    {
        bn1 = BatchNorm2d(inplanes, eps: 1e-5);
        conv1 = Conv2d(inplanes, planes, 3, stride: 1, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes, eps: 1e-5);
        prelu = PReLU(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn3 = BatchNorm2d(planes, eps: 1e-5);
        if (stride != 1 || inplanes != planes) downsample = new ConvBn(inplanes, planes, 1, stride, activation: Activation.None);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = bn3.forward(conv2.forward(prelu.forward(bn2.forward(conv1.forward(bn1.forward(x))))));
        var identity = downsample is null ? x : downsample.forward(x);
        return (y + identity).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// IR-ResNet ("iresnet50" of InsightFace's arcface_torch): conv 3×3 64 (BN, PReLU), stages of IBasicBlocks with
/// 64/128/256/512 planes, each starting with stride 2 (112 → 7), then BN → flatten → FC 512·7·7 → embedding →
/// BN1d whose scale is fixed at 1 (not trained), as there.
/// </summary>
public sealed class IResNet : Module<Tensor, Tensor>
{
    public static readonly int[] Layers50 = [3, 4, 14, 3];

    public readonly ConvBn stem;
    public readonly Sequential layers;
    public readonly BatchNorm2d bn2;
    public readonly Linear fc;
    public readonly BatchNorm1d features;

    public IResNet(int[] blocksPerStage, int embeddingSize = 512) : base(nameof(IResNet))
    {
        stem = new ConvBn(3, 64, 3, 1, 1);
        var list = new List<(string, Module<Tensor, Tensor>)>();
        long inplanes = 64;
        long[] planes = [64, 128, 256, 512];
        for (int s = 0; s < blocksPerStage.Length; s++)
            for (int b = 0; b < blocksPerStage[s]; b++)
            {
                list.Add(($"{list.Count}", new IBasicBlock(inplanes, planes[s], b == 0 ? 2 : 1)));
                inplanes = planes[s];
            }
        layers = Sequential(list);
        bn2 = BatchNorm2d(512, eps: 1e-5);
        fc = Linear(512 * 7 * 7, embeddingSize);
        features = BatchNorm1d(embeddingSize, eps: 1e-5);
        RegisterComponents();
        using (no_grad()) features.weight!.fill_(1.0);
        features.weight!.requires_grad = false;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = bn2.forward(layers.forward(stem.forward(x)));
        return features.forward(fc.forward(y.flatten(1))).MoveToOuterDisposeScope();
    }
}
