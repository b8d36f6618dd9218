namespace FaceKit.Server;

/// <summary>
/// Where the server insists on a live face (presentation-attack detection with the pack's fr_liveness model):
/// enrolment (REST and click-to-register) and identification (REST and the live view). Off by default.
/// </summary>
public sealed record LivenessRequirement
{
    public bool OnEnrol { get; init; }

    public bool OnIdentify { get; init; }

    /// <summary>Smallest "live" probability accepted (fr_liveness.js uses 0.5).</summary>
    public float Threshold { get; init; } = 0.5f;

    public bool Any => OnEnrol || OnIdentify;
}
