using FaceKit.Core.Errors;
using FaceKit.Gallery.Postgres;
using FaceKit.Testing;

namespace FaceKit.Gallery.Tests.Postgres;

/// <summary>The SQLite gallery's behaviour, checked against the PostgreSQL gallery.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGalleryTests(TestPostgresFixture server) : IDisposable
{
    private readonly PgGalleryFixture _fixture = new(server);

    public void Dispose() => _fixture.Dispose();

    [PostgresFact]
    public void EnrollListRenameDeleteIdentify_BehaveAsInTheSqliteGallery()
    {
        var gallery = _fixture.Open();
        Assert.Null(gallery.ModelId);
        Assert.Empty(gallery.Identify(Faces.Vector(1), 5));

        var first = gallery.Enroll("carol", Faces.Templates(1, 2));
        var again = gallery.Enroll("  carol ", Faces.Templates(3));
        gallery.Enroll("alice", Faces.Templates(4));
        gallery.Enroll("Bob", Faces.Templates(5));

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(3, again.TemplateCount);
        Assert.Equal(5, gallery.TemplateCount);
        Assert.Equal((Faces.Model, Faces.Dim), (gallery.ModelId, gallery.Dimension));
        // Ordinal order, as SQLite's: whatever the database's collation says.
        Assert.Equal(["Bob", "alice", "carol"], gallery.ListSubjects().Select(s => s.Name));
        var best = gallery.Identify(Faces.Template(2), 2);
        Assert.Equal("carol", best[0].Name);
        Assert.Equal(1f, best[0].Similarity, 1e-5f);
        Assert.Equal(2, best.Count);

        gallery.Rename("carol", "Carol Smith");
        Assert.Equal("Carol Smith", gallery.Identify(Faces.Vector(1), 1)[0].Name);
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<FaceKitException>(() => gallery.Rename("zoe", "zed")).Code);
        Assert.Equal(ErrorCode.Conflict, Assert.Throws<FaceKitException>(() => gallery.Rename("alice", "Bob")).Code);
        gallery.Rename("alice", "alice");

        long firstTemplate = gallery.ListTemplates("Carol Smith")[0].Id;
        gallery.DeleteTemplate(firstTemplate);
        Assert.True(gallery.Identify(Faces.Vector(1), 1)[0].Similarity < 0.5f, "the deleted template still matches");
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<FaceKitException>(() => gallery.DeleteTemplate(firstTemplate)).Code);

        gallery.DeleteSubject("Carol Smith");
        Assert.Equal(["Bob", "alice"], gallery.ListSubjects().Select(s => s.Name));
        Assert.Equal(2, gallery.TemplateCount);
        Assert.Equal(0L, _fixture.Scalar("SELECT count(*) FROM templates WHERE subject_id = " + first.Id));
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<FaceKitException>(() => gallery.DeleteSubject("Carol Smith")).Code);
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<FaceKitException>(() => gallery.ListTemplates("nobody")).Code);
    }

    [PostgresFact]
    public void Enroll_BadNamesAndTemplates_AreBadInput_AndWriteNothing()
    {
        var gallery = _fixture.Open();
        var nan = Faces.Vector(2);
        nan[7] = float.NaN;

        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Enroll(" ", Faces.Templates(1))).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Enroll("two\nlines", Faces.Templates(1))).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Enroll(new string('b', 201), Faces.Templates(1))).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Enroll("alice", [])).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() =>
            gallery.Enroll("alice", [Faces.Template(1), new Core.Embeddings.Embedding(nan, Faces.Model, normalize: false)])).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Enroll("alice", Faces.Templates(1, 2), [null])).Code);

        Assert.Empty(gallery.ListSubjects());
        Assert.Equal(0L, _fixture.Scalar("SELECT count(*) FROM templates"));
    }

    [PostgresFact]
    public void Identify_WrongDimensionBadTopKOrOtherModel_IsRefused()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));

        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Identify(Faces.Vector(1, 128), 1)).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => gallery.Identify(Faces.Vector(1), 0)).Code);
        var error = Assert.Throws<FaceKitException>(() => gallery.Identify(Faces.Template(1, model: "other/model@2"), 1));
        Assert.Equal(ErrorCode.Conflict, error.Code);
    }

    [PostgresFact]
    public void ModelBinding_RefusesAnotherModelOrDimension_AndAMixedCallRollsBackEverything()
    {
        var empty = _fixture.Open();

        // The first template binds the gallery before the second is refused: all of it rolls back.
        var mixed = Assert.Throws<FaceKitException>(() =>
            empty.Enroll("alice", [Faces.Template(1), Faces.Template(2, model: "other/model@2")]));
        Assert.Equal(ErrorCode.Conflict, mixed.Code);
        Assert.Null(empty.ModelId);
        Assert.Empty(empty.ListSubjects());
        Assert.Null(_fixture.Scalar("SELECT value FROM settings WHERE key = 'gallery.model_id'"));

        empty.Enroll("alice", Faces.Templates(1));
        var other = Assert.Throws<FaceKitException>(() => empty.Enroll("bob", [Faces.Template(2, model: "other/model@2")]));
        Assert.Equal(ErrorCode.Conflict, other.Code);
        Assert.Equal($"gallery holds templates of model {Faces.Model}; refusing other/model@2", other.Message);
        Assert.Equal(ErrorCode.Conflict, Assert.Throws<FaceKitException>(() => empty.Enroll("alice", [Faces.Template(3, dim: 128)])).Code);
        Assert.Equal(["alice"], empty.ListSubjects().Select(s => s.Name));
        Assert.Equal(1, empty.TemplateCount);

        using var reopened = PostgresGallery.Open(_fixture.Url);
        Assert.Equal((Faces.Model, Faces.Dim), (reopened.ModelId, reopened.Dimension));
    }

    [PostgresFact]
    public void Reopen_GivesTheSameSubjectsTimesImagesSettingsAndAnswers()
    {
        var clock = new ManualClock(new DateTimeOffset(2025, 3, 1, 9, 0, 0, 123, TimeSpan.Zero));
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
        IReadOnlyList<GalleryMatch> before;
        using (var gallery = PostgresGallery.Open(_fixture.Url, new GalleryOptions { Clock = clock }))
        {
            gallery.Enroll("alice", [Faces.Near(1, 1), Faces.Near(1, 2)], [jpeg, null]);
            clock.Advance(TimeSpan.FromHours(2));
            gallery.Enroll("alice", [Faces.Near(1, 3)]);
            gallery.Enroll("bob", [Faces.Near(2, 1)]);
            gallery.SetSetting("threshold", "0.42");
            gallery.SetSetting("threshold", "0.37");
            before = gallery.Identify(Faces.Near(1, 9), 2);
        }

        using var reopened = _fixture.Open();
        Assert.Equal(3 + 1, reopened.TemplateCount);
        Assert.Equal(before, reopened.Identify(Faces.Near(1, 9), 2));
        var alice = reopened.ListSubjects().Single(s => s.Name == "alice");
        Assert.Equal(new DateTime(2025, 3, 1, 9, 0, 0, 123, DateTimeKind.Utc), alice.CreatedUtc);
        Assert.Equal(new DateTime(2025, 3, 1, 11, 0, 0, 123, DateTimeKind.Utc), alice.UpdatedUtc);
        Assert.Equal(DateTimeKind.Utc, alice.CreatedUtc.Kind);
        var templates = reopened.ListTemplates("alice");
        Assert.Equal([true, false, false], templates.Select(t => t.HasImage));
        Assert.Equal(jpeg, reopened.GetTemplateImage(templates[0].Id));
        Assert.Null(reopened.GetTemplateImage(templates[1].Id));
        Assert.Equal(ErrorCode.NotFound, Assert.Throws<FaceKitException>(() => reopened.GetTemplateImage(999_999)).Code);
        Assert.Equal("0.37", reopened.GetSetting("threshold"));
        Assert.Null(reopened.GetSetting("missing"));
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => reopened.SetSetting("gallery.model_id", "x")).Code);
        Assert.Equal(ErrorCode.BadInput, Assert.Throws<FaceKitException>(() => reopened.SetSetting(" ", "x")).Code);
    }

    [PostgresFact]
    public void Schema_IsVersioned_AndCreatingItAgainChangesNothing()
    {
        using (var first = _fixture.Open()) first.Enroll("alice", Faces.Templates(1));
        using var second = _fixture.Open();

        Assert.Equal(PostgresSchema.CurrentVersion, Convert.ToInt32(_fixture.Scalar("SELECT version FROM facekit_schema")));
        Assert.Equal(1L, _fixture.Scalar("SELECT count(*) FROM facekit_schema"));
        Assert.Equal(1, second.TemplateCount);
        // Vectors are little-endian float32, as in the SQLite gallery.
        var blob = (byte[])_fixture.Scalar("SELECT vector FROM templates")!;
        Assert.Equal(Faces.Vector(1)[0], BitConverter.ToSingle(blob, 0), 1e-6f);
    }

    [PostgresFact]
    public void Open_MissingGalleryWithoutCreate_IsBadInput_AndCreatesNothing()
    {
        var error = Assert.Throws<FaceKitException>(() => PostgresGallery.Open(_fixture.Url, new GalleryOptions { CreateIfMissing = false }));
        var readOnly = Assert.Throws<FaceKitException>(() => PostgresGallery.Open(_fixture.Url, new GalleryOptions { ReadOnly = true }));

        Assert.Equal(ErrorCode.BadInput, error.Code);
        Assert.Contains("does not exist", error.Message);
        Assert.Equal(ErrorCode.BadInput, readOnly.Code);
        Assert.Null(_fixture.Scalar("SELECT to_regclass('facekit_schema')::text"));
    }

    [PostgresFact]
    public void Open_DatabaseWithAnotherProgramsTables_OrANewerSchema_IsStorageUnavailable()
    {
        _fixture.Execute("CREATE TABLE subjects (id int)");
        var foreign = Assert.Throws<FaceKitException>(() => _fixture.Open());
        Assert.Equal(ErrorCode.StorageUnavailable, foreign.Code);
        Assert.Contains("another program", foreign.Message);

        _fixture.Execute("DROP TABLE subjects");
        using (_fixture.Open()) { }
        _fixture.Execute("UPDATE facekit_schema SET version = 99");
        var newer = Assert.Throws<FaceKitException>(() => _fixture.Open());
        Assert.Equal(ErrorCode.StorageUnavailable, newer.Code);
        Assert.Contains("schema version 99", newer.Message);
    }

    [PostgresFact]
    public void Open_MissingDatabase_IsBadInput_AndUnreachableServer_GivesUpAfterTheTimeout_WithoutThePassword()
    {
        var missing = Assert.Throws<FaceKitException>(() => PostgresGallery.Open(_fixture.Server.Url("no_such_database")));
        Assert.Equal(ErrorCode.BadInput, missing.Code);
        Assert.Contains("no_such_database", missing.Message);

        int closedPort;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var unreachable = Assert.Throws<FaceKitException>(() => PostgresGallery.Open(
            $"postgres://facekit:s3cret-pw@127.0.0.1:{closedPort}/gallery", new GalleryOptions { LockTimeout = TimeSpan.FromSeconds(1) }));

        Assert.Equal(ErrorCode.StorageUnavailable, unreachable.Code);
        Assert.Contains($"postgres://facekit@127.0.0.1:{closedPort}/gallery", unreachable.Message);
        Assert.DoesNotContain("s3cret", unreachable.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"gave up after {clock.Elapsed}");
    }

    [PostgresFact]
    public void ReadOnlyGallery_IdentifiesButRefusesWrites()
    {
        using (var writable = _fixture.Open()) writable.Enroll("alice", Faces.Templates(1));
        var gallery = _fixture.Open(new GalleryOptions { ReadOnly = true });

        Assert.Equal("alice", gallery.Identify(Faces.Vector(1), 1)[0].Name);
        var error = Assert.Throws<FaceKitException>(() => gallery.Enroll("bob", Faces.Templates(2)));

        Assert.Equal(ErrorCode.StorageUnavailable, error.Code);
        Assert.Contains("read-only", error.Message);
        Assert.Single(gallery.ListSubjects());
    }

    [PostgresFact]
    public void KeywordConnectionString_OpensTheSameGallery_AsTheUrl()
    {
        using (var byUrl = GalleryFactory.Open(_fixture.Url)) byUrl.Enroll("alice", Faces.Templates(1));

        using var byKeywords = GalleryFactory.Open(_fixture.Server.ConnectionString(_fixture.Database));

        Assert.IsType<PostgresGallery>(byKeywords);
        Assert.Equal("alice", byKeywords.Identify(Faces.Vector(1), 1)[0].Name);
    }

    [PostgresFact]
    public void DisposedGallery_ThrowsObjectDisposed()
    {
        var gallery = PostgresGallery.Open(_fixture.Url);
        gallery.Dispose();
        gallery.Dispose();

        Assert.Throws<ObjectDisposedException>(() => gallery.Identify(Faces.Vector(1), 1));
    }
}

/// <summary>Which backend a location opens, and what is printed about it; no server needed.</summary>
public sealed class GalleryLocationTests
{
    [Theory]
    [InlineData("postgres://facekit@db1:5433/faces", true)]
    [InlineData("postgresql://db1/faces", true)]
    [InlineData("Host=db1;Database=faces;Username=facekit", true)]
    [InlineData("server=db1; database=faces", true)]
    [InlineData("gallery.db", false)]
    [InlineData("/var/lib/facekit/postgres.db", false)]
    [InlineData("./Host=odd;name.db", false)]
    public void Factory_PicksPostgres_ForUrlsAndConnectionStrings_AndSqliteForPaths(string location, bool postgres)
    {
        Assert.Equal(postgres, GalleryFactory.IsPostgres(location));
    }

    [Fact]
    public void Url_IsParsedAndDisplayedWithoutItsPassword()
    {
        var location = PostgresLocation.Parse("postgres://face%40kit:p%40ss@db1.example:5433/faces?sslmode=disable&application_name=node-7");

        Assert.Equal("face@kit", location.Builder.Username);
        Assert.Equal("p@ss", location.Builder.Password);
        Assert.Equal(("db1.example", 5433, "faces"), (location.Builder.Host, location.Builder.Port, location.Builder.Database));
        Assert.Equal("node-7", location.Builder.ApplicationName);
        Assert.Equal("postgres://face%40kit@db1.example:5433/faces", location.Display);
        Assert.Equal("postgres://face%40kit@db1.example:5433/faces", GalleryFactory.Describe("postgres://face%40kit:p%40ss@db1.example:5433/faces"));
        Assert.DoesNotContain("p@ss", GalleryFactory.Describe("Host=db1;Password=p@ss;Database=faces"));
    }

    [Theory]
    [InlineData("postgres://db1/faces?no_such_option=1")]
    [InlineData("postgres://db1/a/b")]
    [InlineData("Host=db1;Nonsense Keyword=3")]
    public void BadLocations_AreBadInput(string location)
    {
        var error = Assert.Throws<FaceKitException>(() => PostgresLocation.Parse(location));

        Assert.Equal(ErrorCode.BadInput, error.Code);
    }

    [Fact]
    public void ChangeMessages_RoundTrip_AndTooManyIdsBecomeAReload()
    {
        var message = new ChangeMessage(42, ChangeMessage.Enroll, 7, [100, 101]);
        Assert.Equal("1 42 enroll 7 100,101", message.Format());
        var parsed = ChangeMessage.Parse(message.Format())!.Value;
        Assert.Equal((42L, ChangeMessage.Enroll, 7L), (parsed.Generation, parsed.Op, parsed.SubjectId));
        Assert.Equal([100L, 101L], parsed.TemplateIds);

        var big = new ChangeMessage(43, ChangeMessage.Enroll, 7, Enumerable.Range(1, ChangeMessage.MaxIds + 1).Select(i => (long)i).ToArray());
        Assert.Equal(ChangeMessage.Reload, ChangeMessage.Parse(big.Format())!.Value.Op);
        Assert.True(big.Format().Length < 100);
        Assert.Null(ChangeMessage.Parse("garbage"));
        Assert.Equal(ChangeMessage.Reload, ChangeMessage.Parse("1 44 future-op 7")!.Value.Op);
    }
}
