using FaceKit.Core.Errors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceKit.Training.Losses;

public enum MarginKind
{
    /// <summary>Additive angular margin: s·cos(θ + m) on the target class (arXiv 1801.07698).</summary>
    ArcFace,
    /// <summary>Additive cosine margin: s·(cos θ − m) on the target class (arXiv 1801.09414).</summary>
    CosFace,
    /// <summary>Insightface's combined margin: s·(cos(m1·θ + m2) − m3) on the target class; covers the other two.</summary>
    Combined,
    /// <summary>A plain fully connected classifier with bias on the raw embedding.</summary>
    Softmax,
}

/// <summary>Margin settings. Defaults are ArcFace's s = 64, m = 0.5.</summary>
public sealed record MarginOptions
{
    public MarginKind Kind { get; init; } = MarginKind.ArcFace;
    public double Scale { get; init; } = 64;
    /// <summary>ArcFace's m (additive angle, radians) or CosFace's m (subtracted cosine).</summary>
    public double Margin { get; init; } = 0.5;
    /// <summary>Combined margin only: multiplicative angle m1, additive angle m2, subtracted cosine m3.</summary>
    public double M1 { get; init; } = 1.0;
    public double M2 { get; init; } = 0.5;
    public double M3 { get; init; }
    /// <summary>ArcFace: keep cos θ where cos θ ≤ 0 instead of the threshold rule (the "easy margin" of the reference code).</summary>
    public bool EasyMargin { get; init; }

    public static MarginOptions ArcFace(double s = 64, double m = 0.5) => new() { Kind = MarginKind.ArcFace, Scale = s, Margin = m };
    public static MarginOptions CosFace(double s = 64, double m = 0.35) => new() { Kind = MarginKind.CosFace, Scale = s, Margin = m };
    public static MarginOptions Softmax() => new() { Kind = MarginKind.Softmax, Scale = 1, Margin = 0 };
    public static MarginOptions Combined(double s, double m1, double m2, double m3) =>
        new() { Kind = MarginKind.Combined, Scale = s, M1 = m1, M2 = m2, M3 = m3 };

    public static MarginOptions Parse(string name) => name.ToLowerInvariant() switch
    {
        "arcface" => ArcFace(),
        "cosface" => CosFace(),
        "softmax" => Softmax(),
        _ => throw FaceKitException.BadInput($"unknown loss '{name}' (known: arcface, cosface, softmax)"),
    };
}

/// <summary>
/// The classification layer of face training: a weight row per identity; <see cref="Logits"/> gives the margin-adjusted,
/// scaled logits that cross-entropy is taken over. Used only in training; not part of the exported model.
/// </summary>
public sealed class MarginHead : Module<Tensor, Tensor, Tensor>
{
    public readonly Parameter weight;
    public readonly Parameter? bias;
    private readonly double _cosM, _sinM, _threshold, _mm;

    public MarginHead(int embeddingSize, int classes, MarginOptions options) : base(nameof(MarginHead))
    {
        if (classes < 2) throw FaceKitException.BadInput($"training needs at least 2 identities, not {classes}");
        Options = options;
        weight = Parameter(empty(classes, embeddingSize));
        init.normal_(weight, 0, 0.01);
        if (options.Kind == MarginKind.Softmax)
        {
            bias = Parameter(zeros(classes));
            // As nn.Linear initialises: uniform(±1/√fan_in).
            double bound = 1 / Math.Sqrt(embeddingSize);
            init.uniform_(weight, -bound, bound);
        }
        double m = options.Margin;
        _cosM = Math.Cos(m);
        _sinM = Math.Sin(m);
        // Past θ = π − m, cos(θ + m) stops decreasing in θ; the reference code then uses cos θ − m·sin m, a
        // monotone continuation, so the target logit never rises as the angle grows.
        _threshold = Math.Cos(Math.PI - m);
        _mm = Math.Sin(Math.PI - m) * m;
        RegisterComponents();
    }

    public MarginOptions Options { get; }

    /// <summary>Logits [N, classes] for embeddings [N, D] and integer labels [N].</summary>
    public override Tensor forward(Tensor embeddings, Tensor labels) => Logits(embeddings, labels);

    /// <summary>The class each embedding is nearest to (by cosine; by logit for plain softmax), for training accuracy.</summary>
    public Tensor Predict(Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var scores = Options.Kind == MarginKind.Softmax
            ? functional.linear(embeddings, weight, bias)
            : functional.linear(functional.normalize(embeddings, dim: 1), functional.normalize(weight, dim: 1));
        return scores.argmax(1).MoveToOuterDisposeScope();
    }

    public Tensor Logits(Tensor embeddings, Tensor labels)
    {
        using var scope = NewDisposeScope();
        if (Options.Kind == MarginKind.Softmax)
            return functional.linear(embeddings, weight, bias).MoveToOuterDisposeScope();

        var cosine = functional.linear(functional.normalize(embeddings, dim: 1), functional.normalize(weight, dim: 1))
            .clamp(-1, 1);
        var oneHot = functional.one_hot(labels, cosine.shape[1]).to(ScalarType.Bool);
        Tensor target;
        switch (Options.Kind)
        {
            case MarginKind.ArcFace:
            {
                // sqrt has an infinite slope at 0 (cos θ = ±1): keep its argument off zero or the gradient is NaN.
                var sine = (1 - cosine * cosine).clamp_min(1e-12).sqrt();
                var phi = cosine * _cosM - sine * _sinM;
                target = Options.EasyMargin
                    ? where(cosine > 0, phi, cosine)
                    : where(cosine > _threshold, phi, cosine - _mm);
                break;
            }
            case MarginKind.CosFace:
                target = cosine - Options.Margin;
                break;
            case MarginKind.Combined:
            {
                // acos has an infinite slope at ±1: keep θ strictly inside.
                var theta = cosine.clamp(-1 + 1e-7, 1 - 1e-7).acos();
                target = (theta * Options.M1 + Options.M2).cos() - Options.M3;
                break;
            }
            default:
                throw new InvalidOperationException(Options.Kind.ToString());
        }
        return (where(oneHot, target, cosine) * Options.Scale).MoveToOuterDisposeScope();
    }
}
