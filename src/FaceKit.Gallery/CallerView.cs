using FaceKit.Core.Embeddings;

namespace FaceKit.Gallery;

/// <summary>
/// A gallery whose changes and searches can be attributed to a caller other than its own (an API key of a request):
/// what <see cref="CallerView"/> needs from <see cref="SqliteGallery"/> and <see cref="Postgres.PostgresGallery"/>.
/// </summary>
internal interface ICallerScopedGallery : IFaceGallery
{
    Subject EnrollAs(string? caller, string name, IReadOnlyList<Embedding> templates, IReadOnlyList<byte[]?>? images);
    void RenameAs(string? caller, string name, string newName);
    void DeleteSubjectAs(string? caller, string name);
    void DeleteTemplateAs(string? caller, long templateId);
    IReadOnlyList<GalleryMatch> IdentifyAs(string? caller, Embedding probe, int topK);
    IReadOnlyList<GalleryMatch> IdentifyAs(string? caller, ReadOnlySpan<float> probe, int topK);
}

/// <summary>A gallery seen by one caller: the same instance, audit events name the caller.</summary>
internal sealed class CallerView(ICallerScopedGallery gallery, string? caller) : IFaceGallery
{
    public string? ModelId => gallery.ModelId;
    public int? Dimension => gallery.Dimension;
    public int TemplateCount => gallery.TemplateCount;

    public Subject Enroll(string name, IReadOnlyList<Embedding> templates, IReadOnlyList<byte[]?>? images = null) =>
        gallery.EnrollAs(caller, name, templates, images);

    public IReadOnlyList<Subject> ListSubjects() => gallery.ListSubjects();
    public IReadOnlyList<TemplateInfo> ListTemplates(string name) => gallery.ListTemplates(name);
    public void Rename(string name, string newName) => gallery.RenameAs(caller, name, newName);
    public void DeleteSubject(string name) => gallery.DeleteSubjectAs(caller, name);
    public void DeleteTemplate(long templateId) => gallery.DeleteTemplateAs(caller, templateId);
    public byte[]? GetTemplateImage(long templateId) => gallery.GetTemplateImage(templateId);
    public IReadOnlyList<GalleryMatch> Identify(ReadOnlySpan<float> probe, int topK) => gallery.IdentifyAs(caller, probe, topK);
    public IReadOnlyList<GalleryMatch> Identify(Embedding probe, int topK) => gallery.IdentifyAs(caller, probe, topK);
    public string? GetSetting(string key) => gallery.GetSetting(key);
    public void SetSetting(string key, string value) => gallery.SetSetting(key, value);

    /// <summary>The view does not own the gallery.</summary>
    public void Dispose() { }
}
