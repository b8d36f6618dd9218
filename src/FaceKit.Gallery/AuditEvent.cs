namespace FaceKit.Gallery;

/// <summary>
/// One row of the audit trail. <paramref name="Action"/> is enroll, rename, delete-subject,
/// delete-template or identify; <paramref name="Subject"/> the subject's name (for identify, the best
/// match, or null); <paramref name="Detail"/> a short machine-readable note. Time is UTC.
/// </summary>
public sealed record AuditEvent(long Id, DateTime TimeUtc, string Action, string? Subject, string? Caller, string? Detail);

/// <summary>The audit actions.</summary>
public static class AuditActions
{
    public const string Enroll = "enroll";
    public const string Rename = "rename";
    public const string DeleteSubject = "delete-subject";
    public const string DeleteTemplate = "delete-template";
    public const string Identify = "identify";
}
