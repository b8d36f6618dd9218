using FaceKit.Core.Embeddings;
using FaceKit.Gallery.Search.Ann;
using Microsoft.Data.Sqlite;

namespace FaceKit.Gallery.Tests.Ann;

/// <summary>
/// SqliteGallery above its ANN threshold (set low here): same answers as exact search, the index
/// kept current by enrol/delete, saved beside the file, reloaded, and caught up or rebuilt when the
/// gallery changed behind its back.
/// </summary>
public sealed class AnnGalleryTests : IDisposable
{
    private const string Model = Faces.Model;
    private const int Identities = 400, Shots = 5;
    private static readonly GalleryOptions AnnOptions = new() { AnnThreshold = 500, Audit = new GalleryAuditOptions { Enabled = false } };
    private static readonly GalleryOptions ExactOptions = AnnOptions with { AnnThreshold = int.MaxValue };

    private readonly GalleryFixture _fixture = new();
    private readonly SyntheticTemplates _synthetic = new(Faces.Dim, identities: 100_000, seed: 21);

    public void Dispose() => _fixture.Dispose();

    private string IndexPath => _fixture.DbPath + ".ann";

    private Embedding Shot(int identity, int shot) => new(_synthetic.Template(identity, shot), Model);

    /// <summary>Identities 0..count-1, five templates each, enrolled as "person-i".</summary>
    private void EnrollPeople(SqliteGallery gallery, int from, int count)
    {
        var block = new float[Shots * Faces.Dim];
        for (int i = from; i < from + count; i++)
        {
            _synthetic.Shots(i, Shots, block);
            gallery.Enroll($"person-{i}", Enumerable.Range(0, Shots).Select(s => new Embedding(block.AsSpan(s * Faces.Dim, Faces.Dim).ToArray(), Model)).ToArray());
        }
    }

    private SqliteGallery Populated(GalleryOptions? options = null, byte[]? key = null)
    {
        var o = (options ?? AnnOptions) with { EncryptionKey = key };
        using (var gallery = SqliteGallery.Open(_fixture.DbPath, o with { AnnThreshold = int.MaxValue })) EnrollPeople(gallery, 0, Identities);
        return _fixture.Open(o);
    }

    [Fact]
    public void Identify_AboveTheThreshold_UsesTheIndexAndGivesExactSearchsTop1()
    {
        var ann = Populated();
        var exact = _fixture.Open(ExactOptions);

        for (int q = 0; q < 100; q++)
        {
            var probe = Shot(q * 3 % Identities, shot: 100 + q);
            var fromIndex = ann.Identify(probe, 5);
            var fromExact = exact.Identify(probe, 5);
            Assert.Equal(fromExact[0], fromIndex[0]);
            Assert.Equal($"person-{q * 3 % Identities}", fromIndex[0].Name);
        }
        Assert.Equal("built", ann.Ann.LastEvent);
        Assert.Equal(Identities * Shots, ann.Ann.Index!.Count);
        Assert.Null(exact.Ann.Index);
    }

    [Fact]
    public void EnrolAndDelete_AfterTheBuild_UpdateTheIndexInPlace()
    {
        var gallery = Populated();
        gallery.Identify(Shot(1, 50), 1);
        var index = gallery.Ann.Index!;

        gallery.Enroll("newcomer", [Shot(90_000, 0), Shot(90_000, 1)]);
        Assert.Equal(Identities * Shots + 2, index.Count);
        Assert.Equal("newcomer", gallery.Identify(Shot(90_000, 7), 1)[0].Name);

        gallery.DeleteSubject("person-7");
        Assert.Equal(Identities * Shots - 3, index.Count);
        Assert.NotEqual("person-7", gallery.Identify(Shot(7, 60), 1)[0].Name);

        long templateId = gallery.ListTemplates("person-8")[0].Id;
        gallery.DeleteTemplate(templateId);
        Assert.False(index.Contains(templateId));
        Assert.DoesNotContain(gallery.Identify(Shot(8, 61), 3), m => m.TemplateId == templateId);
        // Still the same index object: no rebuild for single changes.
        Assert.Same(index, gallery.Ann.Index);
        Assert.Equal("built", gallery.Ann.LastEvent);
    }

    [Fact]
    public void Reopen_LoadsTheSavedIndexInsteadOfBuilding()
    {
        using (var first = SqliteGallery.Open(_fixture.DbPath, AnnOptions))
        {
            EnrollPeople(first, 0, Identities);
            var answer = first.Identify(Shot(11, 70), 3);
            Assert.Equal("person-11", answer[0].Name);
        }
        Assert.True(File.Exists(IndexPath));

        var again = _fixture.Open(AnnOptions);
        Assert.Equal("person-11", again.Identify(Shot(11, 70), 3)[0].Name);
        Assert.Equal("loaded", again.Ann.LastEvent);
    }

    [Fact]
    public void Reopen_AfterChangesBehindTheIndexsBack_CatchesUp()
    {
        using (var first = Populated()) first.Identify(Shot(1, 50), 1);
        Assert.True(File.Exists(IndexPath));
        long deletedTemplate;
        using (var other = SqliteGallery.Open(_fixture.DbPath, ExactOptions))
        {
            other.Enroll("newcomer", [Shot(90_001, 0)]);
            other.DeleteSubject("person-3");
            deletedTemplate = other.ListTemplates("person-4")[0].Id;
            other.DeleteTemplate(deletedTemplate);
        }

        var gallery = _fixture.Open(AnnOptions);
        Assert.Equal("newcomer", gallery.Identify(Shot(90_001, 5), 1)[0].Name);
        Assert.Equal("loaded and caught up (+1 −6)", gallery.Ann.LastEvent);
        Assert.NotEqual("person-3", gallery.Identify(Shot(3, 5), 1)[0].Name);
        Assert.False(gallery.Ann.Index!.Contains(deletedTemplate));
    }

    [Fact]
    public void AnotherWriter_WhileOpen_IsCaughtUpBeforeTheNextIdentify()
    {
        var gallery = Populated();
        gallery.Identify(Shot(1, 50), 1);
        using (var other = SqliteGallery.Open(_fixture.DbPath, ExactOptions)) other.Enroll("late", [Shot(90_002, 0)]);

        Assert.Equal("late", gallery.Identify(Shot(90_002, 3), 1)[0].Name);
        Assert.Equal("caught up", gallery.Ann.LastEvent);
    }

    [Fact]
    public void Reopen_AfterTheGalleryWasReplaced_RebuildsTheForeignIndex()
    {
        using (var first = Populated()) first.Identify(Shot(1, 50), 1);
        var saved = File.ReadAllBytes(IndexPath);
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm", ".ann" }) File.Delete(_fixture.DbPath + suffix);

        // Same template ids, other people: the saved filing no longer fits the vectors.
        using (var replacement = SqliteGallery.Open(_fixture.DbPath, ExactOptions)) EnrollPeople(replacement, 50_000, Identities);
        File.WriteAllBytes(IndexPath, saved);

        var gallery = _fixture.Open(AnnOptions);
        var exact = _fixture.Open(ExactOptions);
        var probe = Shot(50_010, 9);
        Assert.Equal(exact.Identify(probe, 3)[0], gallery.Identify(probe, 3)[0]);
        Assert.StartsWith("rebuilt (index was made for other vectors", gallery.Ann.LastEvent);
    }

    [Fact]
    public void DamagedIndexFile_IsRebuiltWithoutAnError()
    {
        using (var first = Populated()) first.Identify(Shot(1, 50), 1);
        var bytes = File.ReadAllBytes(IndexPath);
        File.WriteAllBytes(IndexPath, bytes[..(bytes.Length / 2)]);

        var gallery = _fixture.Open(AnnOptions);
        Assert.Equal("person-2", gallery.Identify(Shot(2, 40), 1)[0].Name);
        Assert.Equal("rebuilt (index file is damaged)", gallery.Ann.LastEvent);
    }

    [Fact]
    public void EncryptedGallery_SealsItsIndexFile_AndLoadsItOnlyWithTheKey()
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        using (var first = Populated(key: key)) first.Identify(Shot(1, 50), 1);

        var bytes = File.ReadAllBytes(IndexPath);
        Assert.Equal(1, bytes[6]);
        // The model id is the first field of the payload: sealed, it is nowhere in the file.
        Assert.DoesNotContain(Model, System.Text.Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);

        var gallery = _fixture.Open(AnnOptions with { EncryptionKey = key });
        Assert.Equal("person-5", gallery.Identify(Shot(5, 40), 1)[0].Name);
        Assert.Equal("loaded", gallery.Ann.LastEvent);
    }

    [Fact]
    public void BelowTheThreshold_NoIndexIsBuiltOrSaved()
    {
        using (var gallery = SqliteGallery.Open(_fixture.DbPath, AnnOptions))
        {
            EnrollPeople(gallery, 0, 50);
            Assert.Equal("person-9", gallery.Identify(Shot(9, 30), 1)[0].Name);
            Assert.Null(gallery.Ann.Index);
        }
        Assert.False(File.Exists(IndexPath));
    }
}
