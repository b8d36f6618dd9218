namespace FaceKit.Evaluation.Kisa;

public enum ProtocolRole { Enrol, Probe }

/// <summary>
/// One image of a category protocol. An enrolment image with an empty <see cref="Category"/> enrols its
/// subject for every category; with a category, for that one only. <see cref="Condition"/> is unused
/// for enrolment images.
/// </summary>
public sealed record ProtocolImage(string Path, string Subject, ProtocolRole Role, string Category, string Condition);

/// <summary>The images of a protocol, where they came from, and what the reader chose to skip (and why).</summary>
public sealed record ProtocolSet(IReadOnlyList<ProtocolImage> Images, string Source, IReadOnlyList<string> Notes);
