namespace FaceKit.Training.Trainer;

/// <summary>Reported after each optimizer step.</summary>
public readonly record struct TrainingProgress(
    int Step, int TotalSteps, int Epoch, int StepsPerEpoch, double Loss, double Accuracy, double LearningRate,
    double ImagesPerSecond, TimeSpan Eta, double? DistillationLoss = null);

/// <summary>Reported after each epoch (and written as one CSV row).</summary>
public sealed record EpochSummary(int Epoch, int Step, double Loss, double Accuracy, double LearningRate, double ImagesPerSecond,
    TimeSpan Elapsed, ValidationResult? Validation);

public enum TrainingOutcome { Completed, Cancelled, Diverged }

public sealed record TrainingResult(TrainingOutcome Outcome, int Steps, string LastCheckpoint, string? BestCheckpoint,
    IReadOnlyList<EpochSummary> Epochs, string? Message = null);
