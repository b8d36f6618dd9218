namespace FaceKit.Gallery;

/// <summary>A stored template, without its vector. Time is UTC.</summary>
public readonly record struct TemplateInfo(long Id, string ModelId, int Dimension, DateTime CreatedUtc, bool HasImage);
