using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Liveness;

namespace FaceKit.Server.Hosting;

/// <summary>A face refused because it did not pass the liveness check; answered as 422 with code NotLive.</summary>
internal sealed class NotLiveException(string message) : Exception(message);

/// <summary>Applies <see cref="LivenessRequirement"/> to the server's enrol and identify paths.</summary>
internal sealed class LivenessGuard(LivenessRequirement requirement, LivenessChecker? checker)
{
    public LivenessRequirement Requirement { get; } = requirement;

    /// <summary>The checker the live view uses when identification needs a live face; null otherwise.</summary>
    public LivenessChecker? ForIdentify => Requirement.OnIdentify ? checker : null;

    /// <summary>Throws <see cref="NotLiveException"/> when enrolment needs a live face and this one is not.</summary>
    public void RequireLiveForEnrol(ImageBuffer image, BoxF face, string what)
    {
        if (!Requirement.OnEnrol || checker is null) return;
        var result = checker.Check(image, face);
        if (!result.IsLive)
            throw new NotLiveException($"{what}: liveness {result.Score:F2} is below {result.Threshold:F2}; enrolment needs a live face");
    }

    /// <summary>The liveness score when identification needs a live face, else null (not checked).</summary>
    public LivenessResult? CheckForIdentify(ImageBuffer image, BoxF face) =>
        Requirement.OnIdentify && checker is not null ? checker.Check(image, face) : null;
}
