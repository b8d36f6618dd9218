using System.Buffers.Binary;
using Microsoft.Data.Sqlite;

namespace FaceKit.Gallery.Tests;

public sealed class PersistenceTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Reopen_GivesTheSameSubjectsAndTheSameIdentifyAnswers()
    {
        var probes = new[] { Faces.Near(3, shot: 7), Faces.Near(8, shot: 7), Faces.Template(500) };
        List<Subject> subjectsBefore;
        List<IReadOnlyList<GalleryMatch>> answersBefore;
        using (var gallery = SqliteGallery.Open(_fixture.DbPath))
        {
            for (int person = 1; person <= 10; person++)
                gallery.Enroll($"person-{person}", [Faces.Near(person, 1), Faces.Near(person, 2), Faces.Near(person, 3)]);
            gallery.DeleteTemplate(gallery.ListTemplates("person-3")[0].Id);
            gallery.Rename("person-8", "eight");
            subjectsBefore = [.. gallery.ListSubjects()];
            answersBefore = [.. probes.Select(p => gallery.Identify(p, 4))];
        }

        using var reopened = SqliteGallery.Open(_fixture.DbPath);

        Assert.Equal(subjectsBefore, reopened.ListSubjects());
        Assert.Equal(29, reopened.TemplateCount);
        Assert.Equal(Faces.Model, reopened.ModelId);
        for (int i = 0; i < probes.Length; i++)
            Assert.Equal(answersBefore[i], reopened.Identify(probes[i], 4));
        Assert.Equal("eight", reopened.Identify(Faces.Near(8, shot: 7), 1)[0].Name);
    }

    [Fact]
    public void File_IsWalWithVersionedSchemaAndLittleEndianFloatVectors()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));

        using var connection = new SqliteConnection($"Data Source={_fixture.DbPath};Pooling=False");
        connection.Open();
        Assert.Equal("wal", Query(connection, "PRAGMA journal_mode"));
        Assert.Equal(2L, Query(connection, "PRAGMA user_version"));
        Assert.Equal(512L, Query(connection, "SELECT dim FROM templates"));
        var blob = (byte[])Query(connection, "SELECT vector FROM templates")!;
        var expected = Faces.Vector(1);
        Assert.Equal(512 * 4, blob.Length);
        for (int i = 0; i < expected.Length; i += 97)
            Assert.Equal(expected[i], BinaryPrimitives.ReadSingleLittleEndian(blob.AsSpan(i * 4)), 1e-6f);
    }

    [Fact]
    public void DeleteSubject_CascadesToItsTemplateRows()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1, 2));
        gallery.Enroll("bob", Faces.Templates(3));

        gallery.DeleteSubject("alice");

        using var connection = new SqliteConnection($"Data Source={_fixture.DbPath};Pooling=False");
        connection.Open();
        Assert.Equal(1L, Query(connection, "SELECT count(*) FROM templates"));
    }

    [Fact]
    public void CommittedEnrolment_IsInTheFilesOnDisk_WhileTheGalleryIsStillOpen()
    {
        // Copying the files of a live gallery is what a killed process leaves behind.
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));
        gallery.Enroll("bob", Faces.Templates(2));
        var crashed = _fixture.File("crashed.db");
        File.Copy(_fixture.DbPath, crashed);
        if (File.Exists(_fixture.DbPath + "-wal")) File.Copy(_fixture.DbPath + "-wal", crashed + "-wal");

        using var recovered = SqliteGallery.Open(crashed);

        Assert.Equal(["alice", "bob"], recovered.ListSubjects().Select(s => s.Name));
        Assert.Equal("bob", recovered.Identify(Faces.Vector(2), 1)[0].Name);
    }

    [Fact]
    public void SecondInstance_SeesEnrolmentsCommittedByTheFirst()
    {
        var writer = _fixture.Open();
        var reader = _fixture.Open();
        Assert.Empty(reader.Identify(Faces.Vector(1), 1));

        writer.Enroll("alice", Faces.Templates(1));
        writer.Enroll("bob", Faces.Templates(2));

        Assert.Equal(Faces.Model, reader.ModelId);
        Assert.Equal(2, reader.TemplateCount);
        Assert.Equal("bob", reader.Identify(Faces.Vector(2), 1)[0].Name);
    }

    [Fact]
    public void SecondInstance_SeesRenamesAndDeletionsCommittedByTheFirst()
    {
        var writer = _fixture.Open();
        writer.Enroll("alice", Faces.Templates(1));
        writer.Enroll("bob", Faces.Templates(2, 3));
        var reader = _fixture.Open();
        Assert.Equal("bob", reader.Identify(Faces.Vector(3), 1)[0].Name);

        writer.Rename("bob", "robert");
        writer.DeleteSubject("alice");
        writer.DeleteTemplate(writer.ListTemplates("robert")[1].Id);

        Assert.Equal(["robert"], reader.Identify(Faces.Vector(1), 5).Select(m => m.Name));
        Assert.Equal(1, reader.TemplateCount);
        Assert.True(reader.Identify(Faces.Vector(3), 1)[0].Similarity < 0.5f);
    }

    [Fact]
    public void Writes_FromTwoInstances_LandOnCurrentState()
    {
        var first = _fixture.Open();
        var second = _fixture.Open();

        first.Enroll("alice", Faces.Templates(1));
        second.Enroll("bob", Faces.Templates(2));
        first.Enroll("alice", Faces.Templates(3));
        second.DeleteTemplate(first.ListTemplates("alice")[0].Id);

        foreach (var gallery in new[] { first, second })
        {
            Assert.Equal(2, gallery.TemplateCount);
            Assert.Equal(["alice", "bob"], gallery.Identify(Faces.Vector(3), 5).Select(m => m.Name));
            Assert.True(gallery.Identify(Faces.Vector(1), 1)[0].Similarity < 0.5f);
        }
    }

    [Fact]
    public void ConcurrentWriters_OnTheSameFile_AllCommitWithoutLockErrors()
    {
        const int perWriter = 25;
        var galleries = Enumerable.Range(0, 3).Select(_ => _fixture.Open()).ToArray();

        Parallel.For(0, galleries.Length, new ParallelOptions { MaxDegreeOfParallelism = galleries.Length }, w =>
        {
            for (int i = 0; i < perWriter; i++)
                galleries[w].Enroll($"w{w}-{i}", Faces.Templates(w * 1000 + i));
        });

        foreach (var gallery in galleries)
        {
            Assert.Equal(galleries.Length * perWriter, gallery.TemplateCount);
            Assert.Equal("w2-7", gallery.Identify(Faces.Vector(2007), 1)[0].Name);
        }
    }

    private static object? Query(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
