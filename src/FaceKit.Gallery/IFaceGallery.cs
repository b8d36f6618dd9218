using FaceKit.Core.Embeddings;

namespace FaceKit.Gallery;

/// <summary>
/// An enrolment gallery: named subjects, each with one or more face templates of one embedder
/// model, and exact identification over all of them. Expected failures throw
/// <see cref="FaceKit.Core.Errors.FaceKitException"/>; an instance is safe to share between threads.
/// </summary>
public interface IFaceGallery : IDisposable
{
    /// <summary>The embedder model the gallery is bound to; null until the first template is enrolled.</summary>
    string? ModelId { get; }

    /// <summary>Template dimension of the bound model; null until the first template is enrolled.</summary>
    int? Dimension { get; }

    /// <summary>Number of templates over all subjects.</summary>
    int TemplateCount { get; }

    /// <summary>
    /// Creates the subject or adds templates to an existing one, all in one transaction.
    /// <paramref name="images"/>, when given, holds one encoded image (or null) per template; images
    /// are never stored otherwise.
    /// </summary>
    Subject Enroll(string name, IReadOnlyList<Embedding> templates, IReadOnlyList<byte[]?>? images = null);

    /// <summary>All subjects, ordered by name.</summary>
    IReadOnlyList<Subject> ListSubjects();

    /// <summary>The templates of one subject, oldest first.</summary>
    IReadOnlyList<TemplateInfo> ListTemplates(string name);

    void Rename(string name, string newName);

    void DeleteSubject(string name);

    void DeleteTemplate(long templateId);

    /// <summary>The image stored with a template, or null when none was stored.</summary>
    byte[]? GetTemplateImage(long templateId);

    /// <summary>
    /// The <paramref name="topK"/> subjects most similar to the probe, best first; a subject's
    /// similarity is the highest cosine over its templates. Empty when the gallery is empty.
    /// </summary>
    IReadOnlyList<GalleryMatch> Identify(ReadOnlySpan<float> probe, int topK);

    /// <summary>As <see cref="Identify(ReadOnlySpan{float}, int)"/>, refusing a probe from another model.</summary>
    IReadOnlyList<GalleryMatch> Identify(Embedding probe, int topK);

    string? GetSetting(string key);

    void SetSetting(string key, string value);
}
