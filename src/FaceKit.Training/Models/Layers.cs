using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceKit.Training.Models;

/// <summary>Non-linearity after a conv + BN: PReLU as MobileFaceNet and IR-ResNet use, ReLU6 as MobileNetV2 does, or none (a linear layer).</summary>
public enum Activation { None, PReLU, ReLU6 }

/// <summary>
/// Conv (no bias) → BatchNorm → optional activation: the unit every network here is built from, and the unit the
/// ONNX exporter folds (BN into the conv's weights and bias).
/// </summary>
public sealed class ConvBn : Module<Tensor, Tensor>
{
    public readonly Conv2d conv;
    public readonly BatchNorm2d bn;
    public readonly Module<Tensor, Tensor>? act;

    public ConvBn(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, long groups = 1,
        Activation activation = Activation.PReLU) : base(nameof(ConvBn))
    {
        conv = Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, groups: groups, bias: false);
        bn = BatchNorm2d(outChannels);
        act = activation switch
        {
            Activation.PReLU => PReLU(outChannels),
            Activation.ReLU6 => ReLU6(),
            _ => null,
        };
        Activation = activation;
        RegisterComponents();
    }

    public Activation Activation { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = bn.forward(conv.forward(x));
        if (act is not null) y = act.forward(y);
        return y.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// MobileNetV2 inverted residual ("bottleneck" in MobileFaceNet): 1×1 expand → 3×3 depthwise (stride) → linear 1×1
/// project, with the identity added when shape allows. Expansion 1 skips the expand conv, as MobileNetV2 does.
/// </summary>
public sealed class InvertedResidual : Module<Tensor, Tensor>
{
    public readonly ConvBn? expand;
    public readonly ConvBn depthwise;
    public readonly ConvBn project;

    public InvertedResidual(long inChannels, long outChannels, long stride, long expansion, Activation activation)
        : base(nameof(InvertedResidual))
    {
        long hidden = inChannels * expansion;
        if (expansion != 1) expand = new ConvBn(inChannels, hidden, 1, activation: activation);
        depthwise = new ConvBn(hidden, hidden, 3, stride, 1, groups: hidden, activation: activation);
        project = new ConvBn(hidden, outChannels, 1, activation: Activation.None);
        Residual = stride == 1 && inChannels == outChannels;
        RegisterComponents();
    }

    public bool Residual { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = expand is null ? x : expand.forward(x);
        y = project.forward(depthwise.forward(y));
        if (Residual) y = y + x;
        return y.MoveToOuterDisposeScope();
    }
}
