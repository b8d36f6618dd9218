namespace FaceKit.Evaluation.Extraction;

/// <summary>An image that gave no template: a failure to acquire (or, for an enrolment image, to enrol).</summary>
public sealed record ImageFailure(string Path, TemplateFailureKind Kind, string Message);
