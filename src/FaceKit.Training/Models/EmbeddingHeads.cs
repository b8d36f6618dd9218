using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceKit.Training.Models;

/// <summary>How a 7×7×C feature map becomes the embedding vector.</summary>
public enum HeadKind
{
    /// <summary>MobileFaceNet's own: linear GDConv 7×7 (depthwise, valid) → linear 1×1 conv to the embedding (+BN each).</summary>
    Gdc,
    /// <summary>7×7 depthwise conv (valid) → 1×1 conv C→C (BN, PReLU) → 1×1 conv C→embedding (+BN).</summary>
    V1,
    /// <summary>Three 3×3 depthwise convs, stride 2 (7→4→2→1) → the same two 1×1 convs as v1.</summary>
    V2,
    /// <summary>Global average pooling → one 1×1 conv C→embedding (+BN); no C×C projection.</summary>
    V3,
}

/// <summary>
/// The global-downsampling heads. Every conv is followed by BN (free after export: it folds into the conv); the
/// depthwise reductions and the last 1×1 are linear (as MobileFaceNet's GDConv and its embedding layer), the C×C
/// projection has a PReLU (two linear 1×1 convs in a row would collapse into one).
/// </summary>
public sealed class EmbeddingHead : Module<Tensor, Tensor>
{
    public readonly Sequential layers;

    public EmbeddingHead(HeadKind kind, int channels, int embeddingSize, int featureSize = 7) : base(nameof(EmbeddingHead))
    {
        Kind = kind;
        var list = new List<(string, Module<Tensor, Tensor>)>();
        void Add(Module<Tensor, Tensor> m) => list.Add(($"{list.Count}", m));
        switch (kind)
        {
            case HeadKind.Gdc:
                Add(new ConvBn(channels, channels, featureSize, groups: channels, activation: Activation.None));
                Add(new ConvBn(channels, embeddingSize, 1, activation: Activation.None));
                break;
            case HeadKind.V1:
                Add(new ConvBn(channels, channels, featureSize, groups: channels, activation: Activation.None));
                Add(new ConvBn(channels, channels, 1));
                Add(new ConvBn(channels, embeddingSize, 1, activation: Activation.None));
                break;
            case HeadKind.V2:
                Add(new ConvBn(channels, channels, 3, 2, 1, groups: channels));
                Add(new ConvBn(channels, channels, 3, 2, 1, groups: channels));
                Add(new ConvBn(channels, channels, 3, 2, 1, groups: channels, activation: Activation.None));
                Add(new ConvBn(channels, channels, 1));
                Add(new ConvBn(channels, embeddingSize, 1, activation: Activation.None));
                break;
            case HeadKind.V3:
                Add(AdaptiveAvgPool2d(1));
                Add(new ConvBn(channels, embeddingSize, 1, activation: Activation.None));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
        layers = Sequential(list);
        RegisterComponents();
    }

    public HeadKind Kind { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return layers.forward(x).flatten(1).MoveToOuterDisposeScope();
    }
}
