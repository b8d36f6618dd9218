namespace FaceKit.Training.Optimization;

/// <summary>
/// Linear warm-up from BaseLr/WarmupSteps to BaseLr over the first WarmupSteps steps, then cosine decay to MinLr at
/// TotalSteps. A pure function of the step index, so a resumed run needs only the step to be exact.
/// </summary>
public sealed record LearningRateSchedule(double BaseLr, int TotalSteps, int WarmupSteps = 0, double MinLr = 0)
{
    public double At(int step)
    {
        if (TotalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(TotalSteps));
        step = Math.Clamp(step, 0, TotalSteps - 1);
        if (step < WarmupSteps) return BaseLr * (step + 1) / WarmupSteps;
        int decaySteps = TotalSteps - WarmupSteps;
        if (decaySteps <= 1) return BaseLr;
        double progress = (double)(step - WarmupSteps) / (decaySteps - 1);
        return MinLr + (BaseLr - MinLr) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
