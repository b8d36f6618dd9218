using FaceKit.Core.Errors;
using Microsoft.Data.Sqlite;

namespace FaceKit.Gallery.Tests;

public sealed class SettingsAndImageTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Setting_RoundTripsAndSurvivesReopen()
    {
        using (var gallery = SqliteGallery.Open(_fixture.DbPath))
        {
            Assert.Null(gallery.GetSetting("threshold"));
            gallery.SetSetting("threshold", "0.42");
            gallery.SetSetting("threshold", "0.37");
            Assert.Equal("0.37", gallery.GetSetting("threshold"));
        }

        using var reopened = SqliteGallery.Open(_fixture.DbPath);
        Assert.Equal("0.37", reopened.GetSetting("threshold"));
    }

    [Fact]
    public void SetSetting_ReservedOrEmptyKey_IsBadInput()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));

        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.SetSetting("gallery.model_id", "x")).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.SetSetting(" ", "x")).Code);
        Assert.Equal(Faces.Model, gallery.ModelId);
    }

    [Fact]
    public void Enroll_WithoutImages_StoresNoImage()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));

        var template = Assert.Single(gallery.ListTemplates("alice"));

        Assert.False(template.HasImage);
        Assert.Null(gallery.GetTemplateImage(template.Id));
        Assert.Equal(0L, CountStoredImages());
    }

    [Fact]
    public void Enroll_WithImages_StoresEachBesideItsTemplate()
    {
        var gallery = _fixture.Open();
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];

        gallery.Enroll("alice", Faces.Templates(1, 2), [jpeg, null]);

        var templates = gallery.ListTemplates("alice");
        Assert.Equal([true, false], templates.Select(t => t.HasImage));
        Assert.Equal(jpeg, gallery.GetTemplateImage(templates[0].Id));
        Assert.Null(gallery.GetTemplateImage(templates[1].Id));
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<FaceKitException>(() => gallery.GetTemplateImage(9999)).Code);
    }

    [Fact]
    public void Enroll_ImageCountNotMatchingTemplates_IsBadInput()
    {
        var gallery = _fixture.Open();

        var error = Assert.Throws<FaceKitException>(() => gallery.Enroll("alice", Faces.Templates(1, 2), [[1, 2, 3]]));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.Empty(gallery.ListSubjects());
    }

    private long CountStoredImages()
    {
        using var connection = new SqliteConnection($"Data Source={_fixture.DbPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM templates WHERE image IS NOT NULL";
        return (long)command.ExecuteScalar()!;
    }
}
