using FaceKit.Core.Embeddings;

namespace FaceKit.Gallery;

/// <summary>A <see cref="SqliteGallery"/> seen by one caller: the same gallery, audit events name the caller.</summary>
internal sealed class CallerView(SqliteGallery gallery, string? caller) : IFaceGallery
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
