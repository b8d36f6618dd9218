namespace FaceKit.Gallery;

/// <summary>One identification candidate: the subject and its best-matching template.</summary>
public readonly record struct GalleryMatch(long SubjectId, string Name, float Similarity, long TemplateId);
