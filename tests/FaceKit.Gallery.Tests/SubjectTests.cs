using FaceKit.Core.Errors;

namespace FaceKit.Gallery.Tests;

public sealed class SubjectTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Enroll_SameNameTwice_AddsTemplatesToOneSubject()
    {
        var gallery = _fixture.Open();

        var first = gallery.Enroll("alice", Faces.Templates(1, 2));
        var second = gallery.Enroll("  alice ", Faces.Templates(3));

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(3, second.TemplateCount);
        var listed = Assert.Single(gallery.ListSubjects());
        Assert.Equal(("alice", 3), (listed.Name, listed.TemplateCount));
        Assert.Equal(3, gallery.TemplateCount);
    }

    [Fact]
    public void Enroll_RecordsCreatedAndUpdatedTimes()
    {
        var clock = new ManualClock(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var gallery = _fixture.Open(new GalleryOptions { Clock = clock });

        gallery.Enroll("alice", Faces.Templates(1));
        clock.Now = clock.Now.AddHours(2);
        gallery.Enroll("alice", Faces.Templates(2));

        var alice = Assert.Single(gallery.ListSubjects());
        Assert.Equal(new DateTime(2025, 3, 1, 9, 0, 0, DateTimeKind.Utc), alice.CreatedUtc);
        Assert.Equal(new DateTime(2025, 3, 1, 11, 0, 0, DateTimeKind.Utc), alice.UpdatedUtc);
        Assert.Equal(DateTimeKind.Utc, alice.CreatedUtc.Kind);
    }

    [Fact]
    public void ListSubjects_IsOrderedByName()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("carol", Faces.Templates(3));
        gallery.Enroll("alice", Faces.Templates(1));
        gallery.Enroll("bob", Faces.Templates(2));

        Assert.Equal(["alice", "bob", "carol"], gallery.ListSubjects().Select(s => s.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("two\nlines")]
    public void Enroll_EmptyOrControlCharacterName_IsBadInput(string name)
    {
        var gallery = _fixture.Open();

        var error = Assert.Throws<FaceKitException>(() => gallery.Enroll(name, Faces.Templates(1)));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.Equal(0, gallery.TemplateCount);
    }

    [Fact]
    public void Enroll_NameOf200Characters_IsAcceptedAnd201IsBadInput()
    {
        var gallery = _fixture.Open();

        gallery.Enroll(new string('a', 200), Faces.Templates(1));
        var error = Assert.Throws<FaceKitException>(() => gallery.Enroll(new string('b', 201), Faces.Templates(2)));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.Single(gallery.ListSubjects());
    }

    [Fact]
    public void Enroll_NoTemplates_IsBadInput()
    {
        var gallery = _fixture.Open();

        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Enroll("alice", [])).Code);
        Assert.Empty(gallery.ListSubjects());
    }

    [Fact]
    public void Rename_MovesTheNameInListingAndIdentification()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));

        gallery.Rename("alice", "Alice Smith");

        Assert.Equal("Alice Smith", Assert.Single(gallery.ListSubjects()).Name);
        Assert.Equal("Alice Smith", gallery.Identify(Faces.Vector(1), 1)[0].Name);
        Assert.Equal("Alice Smith", gallery.Enroll("Alice Smith", Faces.Templates(2)).Name);
        Assert.Equal(2, gallery.TemplateCount);
    }

    [Fact]
    public void Rename_UnknownSubject_IsNotFound_AndTakenName_IsConflict()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));
        gallery.Enroll("bob", Faces.Templates(2));

        Assert.Equal(ErrorCode.NotFound, Assert.Throws<FaceKitException>(() => gallery.Rename("zoe", "zed")).Code);
        Assert.Equal(ErrorCode.Conflict, Assert.Throws<FaceKitException>(() => gallery.Rename("alice", "bob")).Code);
        Assert.Equal(["alice", "bob"], gallery.ListSubjects().Select(s => s.Name));
    }

    [Fact]
    public void DeleteSubject_RemovesItAndItsTemplatesFromSearch()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1, 2));
        gallery.Enroll("bob", Faces.Templates(3));

        gallery.DeleteSubject("alice");

        Assert.Equal(["bob"], gallery.ListSubjects().Select(s => s.Name));
        Assert.Equal(1, gallery.TemplateCount);
        Assert.Equal(["bob"], gallery.Identify(Faces.Vector(1), 10).Select(m => m.Name));
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<FaceKitException>(() => gallery.DeleteSubject("alice")).Code);
    }

    [Fact]
    public void DeleteTemplate_RemovesOnlyThatTemplate()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1, 2));
        gallery.Enroll("bob", Faces.Templates(3));
        long first = gallery.ListTemplates("alice")[0].Id;

        gallery.DeleteTemplate(first);

        Assert.Equal(2, gallery.TemplateCount);
        Assert.Equal(1, gallery.ListSubjects().Single(s => s.Name == "alice").TemplateCount);
        var match = gallery.Identify(Faces.Vector(1), 1)[0];
        Assert.True(match.Similarity < 0.5f, "the deleted template still matches");
        Assert.Equal(1f, gallery.Identify(Faces.Vector(2), 1)[0].Similarity, 1e-5f);
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<FaceKitException>(() => gallery.DeleteTemplate(first)).Code);
    }

    [Fact]
    public void DeleteTemplate_LastOfASubject_KeepsTheSubjectButDropsItFromSearch()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));
        gallery.Enroll("bob", Faces.Templates(2));

        gallery.DeleteTemplate(gallery.ListTemplates("alice")[0].Id);

        Assert.Equal(0, gallery.ListSubjects().Single(s => s.Name == "alice").TemplateCount);
        Assert.Equal(["bob"], gallery.Identify(Faces.Vector(1), 10).Select(m => m.Name));
    }

    [Fact]
    public void ListTemplates_UnknownSubject_IsNotFound()
    {
        var gallery = _fixture.Open();

        Assert.Equal(ErrorCode.NotFound, Assert.Throws<FaceKitException>(() => gallery.ListTemplates("nobody")).Code);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
