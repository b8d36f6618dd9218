using FaceKit.Training.Losses;

namespace FaceKit.Training.Trainer;

/// <summary>Everything a training run is set by; the defaults are the recipe (SGD 0.9, wd 5e-4, batch 128, 50 epochs, LR 0.1).</summary>
public sealed record TrainerOptions
{
    public string Architecture { get; init; } = "mobilefacenet-v3";
    public int? EmbeddingSize { get; init; }
    public MarginOptions Margin { get; init; } = MarginOptions.ArcFace();
    public int Epochs { get; init; } = 50;
    /// <summary>When set, the run length in optimizer steps instead of epochs.</summary>
    public int? Steps { get; init; }
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 0.1;
    public double MinLearningRate { get; init; }
    /// <summary>Linear warm-up length, in epochs (fractions allowed) ...</summary>
    public double WarmupEpochs { get; init; } = 1;
    /// <summary>... or in steps, which wins when set.</summary>
    public int? WarmupSteps { get; init; }
    public double Momentum { get; init; } = 0.9;
    /// <summary>L2 weight decay on conv/linear weights and the margin head; BN, PReLU and biases get none.</summary>
    public double WeightDecay { get; init; } = 5e-4;
    public bool FlipAugmentation { get; init; } = true;
    public long Seed { get; init; }
    /// <summary>libtorch intra-op threads (0 = leave libtorch's choice). Fix it for bit-for-bit repeatable runs.</summary>
    public int Threads { get; init; }

    /// <summary>Weight of the cosine distillation loss (used when the data set carries teacher embeddings).</summary>
    public double DistillationWeight { get; init; } = 1.0;
    /// <summary>Weight of the margin (classification) loss; 0 trains on distillation alone.</summary>
    public double MarginLossWeight { get; init; } = 1.0;

    public required string OutputDirectory { get; init; }
    /// <summary>Continue from OutputDirectory/last.ckpt when it exists.</summary>
    public bool Resume { get; init; }
    /// <summary>Save a checkpoint every this many steps besides every epoch end (0 = only at epoch ends).</summary>
    public int CheckpointEverySteps { get; init; }
}
