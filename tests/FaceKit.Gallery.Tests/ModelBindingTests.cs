using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;

namespace FaceKit.Gallery.Tests;

public sealed class ModelBindingTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void NewGallery_IsBoundByItsFirstTemplate()
    {
        var gallery = _fixture.Open();
        Assert.Null(gallery.ModelId);
        Assert.Null(gallery.Dimension);

        gallery.Enroll("alice", Faces.Templates(1));

        Assert.Equal(Faces.Model, gallery.ModelId);
        Assert.Equal(Faces.Dim, gallery.Dimension);
    }

    [Fact]
    public void Enroll_TemplateOfAnotherModel_IsConflictAndWritesNothing()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));

        var error = Assert.Throws<FaceKitException>(() =>
            gallery.Enroll("bob", [Faces.Template(2, model: "other/model@2")]));

        Assert.Equal(ErrorCode.Conflict, error.Code);
        Assert.Equal($"gallery holds templates of model {Faces.Model}; refusing other/model@2", error.Message);
        Assert.Equal(["alice"], gallery.ListSubjects().Select(s => s.Name));
        Assert.Equal(1, gallery.TemplateCount);
    }

    [Fact]
    public void Enroll_SameModelIdButOtherDimension_IsConflict()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));

        var error = Assert.Throws<FaceKitException>(() => gallery.Enroll("alice", [Faces.Template(2, dim: 128)]));

        Assert.Equal(ErrorCode.Conflict, error.Code);
        Assert.Equal(1, gallery.TemplateCount);
    }

    [Fact]
    public void Enroll_MixedModelsInOneCall_RollsBackTheSubjectTemplatesAndBinding()
    {
        var gallery = _fixture.Open();

        // The first template is written (and binds the gallery) before the second is refused.
        var error = Assert.Throws<FaceKitException>(() =>
            gallery.Enroll("alice", [Faces.Template(1), Faces.Template(2, model: "other/model@2")]));

        Assert.Equal(ErrorCode.Conflict, error.Code);
        Assert.Empty(gallery.ListSubjects());
        Assert.Equal(0, gallery.TemplateCount);
        Assert.Null(gallery.ModelId);
        Assert.Empty(gallery.Identify(Faces.Vector(1), 5));
        using (var reopened = SqliteGallery.Open(_fixture.DbPath))
        {
            Assert.Empty(reopened.ListSubjects());
            Assert.Null(reopened.ModelId);
        }

        gallery.Enroll("alice", [Faces.Template(3, model: "other/model@2")]);
        Assert.Equal("other/model@2", gallery.ModelId);
    }

    [Fact]
    public void Enroll_InvalidTemplatePartway_LeavesExistingSubjectUnchanged()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));
        var nan = Faces.Vector(2);
        nan[17] = float.NaN;

        var error = Assert.Throws<FaceKitException>(() =>
            gallery.Enroll("alice", [Faces.Template(3), new Embedding(nan, Faces.Model, normalize: false), Faces.Template(4)]));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.Equal(1, Assert.Single(gallery.ListSubjects()).TemplateCount);
        Assert.Single(gallery.ListTemplates("alice"));
        Assert.True(gallery.Identify(Faces.Vector(3), 1)[0].Similarity < 0.5f);
    }

    [Fact]
    public void Enroll_TemplateBuiltWithoutNormalising_IsStoredAsUnitVector()
    {
        var gallery = _fixture.Open();
        var raw = Faces.Vector(1).Select(x => x * 3f).ToArray();

        gallery.Enroll("alice", [new Embedding(raw, Faces.Model, normalize: false)]);

        Assert.Equal(1f, gallery.Identify(Faces.Vector(1), 1)[0].Similarity, 1e-5f);
    }
}
