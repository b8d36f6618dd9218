using FaceKit.Training.Models;

namespace FaceKit.Training.Trainer;

/// <summary>Figures from one validation pass; <see cref="Score"/> (higher is better) picks the best checkpoint.</summary>
public sealed record ValidationResult(double Score, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// Scores the model after each epoch (e.g. LFW pairs accuracy, through the evaluation library at the CLI edge, which
/// this library may not depend on). The model is in eval mode and under no_grad while called.
/// </summary>
public interface IEpochValidator
{
    ValidationResult Validate(FaceModel model);
}
