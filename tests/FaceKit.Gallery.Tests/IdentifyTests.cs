using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;

namespace FaceKit.Gallery.Tests;

public sealed class IdentifyTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Identify_OwnVector_ReturnsTheEnrolledSubjectFirstWithSimilarityOne()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", [Faces.Template(1)]);
        gallery.Enroll("bob", [Faces.Template(2)]);
        gallery.Enroll("carol", [Faces.Template(3)]);

        var matches = gallery.Identify(Faces.Vector(2), topK: 3);

        Assert.Equal("bob", matches[0].Name);
        Assert.Equal(1f, matches[0].Similarity, 1e-5f);
        Assert.All(matches.Skip(1), m => Assert.True(m.Similarity < 0.3f, $"{m.Name} at {m.Similarity}"));
    }

    [Fact]
    public void Identify_NoisyShotOfEnrolledFace_FindsThatSubjectAmongMany()
    {
        var gallery = _fixture.Open();
        for (int person = 1; person <= 50; person++)
            gallery.Enroll($"person-{person}", [Faces.Near(person, shot: 1), Faces.Near(person, shot: 2)]);

        var matches = gallery.Identify(Faces.Near(37, shot: 9), topK: 1);

        Assert.Equal("person-37", Assert.Single(matches).Name);
    }

    [Fact]
    public void Identify_SubjectWithSeveralTemplates_IsCountedOnceAtItsBestTemplate()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("many", [Faces.Template(10), Faces.Template(11), Faces.Template(12)]);
        gallery.Enroll("one", [Faces.Template(20)]);
        long bestTemplate = gallery.ListTemplates("many")[1].Id;

        var matches = gallery.Identify(Faces.Vector(11), topK: 5);

        Assert.Equal(["many", "one"], matches.Select(m => m.Name));
        Assert.Equal(bestTemplate, matches[0].TemplateId);
        Assert.Equal(1f, matches[0].Similarity, 1e-5f);
    }

    [Fact]
    public void Identify_ReturnsAtMostTopKSubjects_BestFirst()
    {
        var gallery = _fixture.Open();
        for (int i = 0; i < 20; i++) gallery.Enroll($"s{i}", [Faces.Template(100 + i)]);
        var probe = Faces.Vector(999);

        var top3 = gallery.Identify(probe, topK: 3);
        var all = gallery.Identify(probe, topK: 100);

        Assert.Equal(3, top3.Count);
        Assert.Equal(20, all.Count);
        Assert.Equal(all.Take(3), top3);
        Assert.Equal(all.OrderByDescending(m => m.Similarity), all);
        var exact = Enumerable.Range(0, 20).Max(i => Faces.Template(100 + i).Similarity(new Embedding(probe, Faces.Model)));
        Assert.Equal(exact, top3[0].Similarity, 1e-5f);
    }

    [Fact]
    public void Identify_UnnormalisedProbe_GivesCosineSimilarity()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", [Faces.Template(1)]);
        var scaled = Faces.Vector(1).Select(x => x * 7.5f).ToArray();

        Assert.Equal(1f, gallery.Identify(scaled, topK: 1)[0].Similarity, 1e-5f);
    }

    [Fact]
    public void Identify_EmptyGallery_ReturnsNothing()
    {
        var gallery = _fixture.Open();

        Assert.Empty(gallery.Identify(Faces.Vector(1), topK: 5));
    }

    [Fact]
    public void Identify_ProbeOfWrongDimensionOrBadTopK_IsBadInput()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", [Faces.Template(1)]);

        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Identify(Faces.Vector(1, dim: 128), 1)).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Identify(Faces.Vector(1), 0)).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Identify(new float[Faces.Dim], 1)).Code);
    }

    [Fact]
    public void Identify_EmbeddingFromAnotherModel_IsConflict()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", [Faces.Template(1)]);

        var error = Assert.Throws<FaceKitException>(() => gallery.Identify(Faces.Template(1, model: "other/model@2"), 1));

        Assert.Equal(ErrorCode.Conflict, error.Code);
        Assert.Equal("alice", gallery.Identify(Faces.Template(1), 1)[0].Name);
    }
}
