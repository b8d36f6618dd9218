namespace FaceKit.Gallery;

/// <summary>An enrolled person. Times are UTC.</summary>
public sealed record Subject(long Id, string Name, int TemplateCount, DateTime CreatedUtc, DateTime UpdatedUtc);
