using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceKit.Training.Models;

/// <summary>A backbone and its embedding head: 112×112 BGR face (normalised) in, un-normalised embedding out.</summary>
public sealed class FaceModel : Module<Tensor, Tensor>
{
    public readonly Module<Tensor, Tensor> backbone;
    public readonly Module<Tensor, Tensor>? head;

    public FaceModel(ArchitectureSpec spec, Module<Tensor, Tensor> backbone, Module<Tensor, Tensor>? head) : base(nameof(FaceModel))
    {
        Spec = spec;
        this.backbone = backbone;
        this.head = head;
        RegisterComponents();
    }

    public ArchitectureSpec Spec { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = backbone.forward(x);
        if (head is not null) y = head.forward(y);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>Number of parameters (trainable or not; BN running statistics are buffers and not counted).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());
}
