using System.Security.Cryptography;
using System.Text;
using FaceKit.Core.Errors;
using FaceKit.Gallery.Postgres;
using FaceKit.Testing;

namespace FaceKit.Gallery.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresEncryptionTests(TestPostgresFixture server) : IDisposable
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private readonly PgGalleryFixture _fixture = new(server);

    public void Dispose() => _fixture.Dispose();

    private static GalleryOptions With(byte[]? key) => new() { EncryptionKey = key };

    [PostgresFact]
    public void EncryptedGallery_StoresCiphertextOnly_AndRoundTripsAfterReopen()
    {
        var image = Encoding.ASCII.GetBytes("a very recognisable image payload");
        using (var gallery = PostgresGallery.Open(_fixture.Url, With(Key)))
        {
            Assert.True(gallery.IsEncrypted);
            gallery.Enroll("alice", [Faces.Near(1, 1), Faces.Near(1, 2)], [image, null]);
            gallery.Enroll("bob", [Faces.Near(2, 1)]);
        }

        using (var connection = _fixture.Connect())
        using (var command = new Npgsql.NpgsqlCommand("SELECT vector, image, sealed FROM templates ORDER BY id LIMIT 1", connection))
        using (var reader = command.ExecuteReader())
        {
            Assert.True(reader.Read());
            var vector = (byte[])reader[0];
            Assert.True(reader.GetBoolean(2));
            Assert.Equal(Faces.Dim * 4 + 28, vector.Length);
            var plain = new byte[Faces.Dim * 4];
            Buffer.BlockCopy(Faces.Near(1, 1).Vector, 0, plain, 0, plain.Length);
            Assert.False(vector.AsSpan().IndexOf(plain.AsSpan(0, 16)) >= 0, "the first floats appear in the clear");
            Assert.False(((byte[])reader[1]).AsSpan().IndexOf(image.AsSpan(0, 12)) >= 0, "the image appears in the clear");
        }
        var settings = (string)_fixture.Scalar("SELECT string_agg(value, '|') FROM settings")!;
        Assert.DoesNotContain(Convert.ToBase64String(Key), settings);
        Assert.Contains("aes-gcm", settings);

        using var reopened = _fixture.Open(With(Key));
        Assert.Equal(3, reopened.TemplateCount);
        Assert.Equal("alice", reopened.Identify(Faces.Near(1, 9), 1)[0].Name);
        Assert.Equal("bob", reopened.Identify(Faces.Near(2, 9), 1)[0].Name);
        Assert.Equal(image, reopened.GetTemplateImage(reopened.ListTemplates("alice")[0].Id));
    }

    [PostgresFact]
    public void WrongKey_NoKey_AndAKeyForAClearGallery_AreRefused()
    {
        using (var gallery = _fixture.Open(With(Key))) gallery.Enroll("alice", Faces.Templates(1));

        var wrong = Assert.Throws<FaceKitException>(() => _fixture.Open(With(RandomNumberGenerator.GetBytes(32))));
        var none = Assert.Throws<FaceKitException>(() => _fixture.Open());
        var noneReadOnly = Assert.Throws<FaceKitException>(() => _fixture.Open(new GalleryOptions { ReadOnly = true }));

        Assert.Equal(ErrorCode.BadInput, wrong.Code);
        Assert.Contains("wrong key", wrong.Message);
        Assert.Equal(ErrorCode.BadInput, none.Code);
        Assert.Contains("is encrypted; give its key", none.Message);
        Assert.Contains("is encrypted", noneReadOnly.Message);

        var clearDatabase = _fixture.Server.CreateDatabase();
        using (var clear = _fixture.Track(PostgresGallery.Open(_fixture.Server.Url(clearDatabase)))) clear.Enroll("bob", Faces.Templates(2));
        var mixing = Assert.Throws<FaceKitException>(() => PostgresGallery.Open(_fixture.Server.Url(clearDatabase), With(Key)));
        Assert.Equal(ErrorCode.Conflict, mixing.Code);
        Assert.Contains("refusing to mix", mixing.Message);
    }

    [PostgresFact]
    public void RowMovedToAnotherSubject_FailsToOpen_InsteadOfMatchingTheWrongName()
    {
        using (var gallery = _fixture.Open(With(Key)))
        {
            gallery.Enroll("alice", Faces.Templates(1));
            gallery.Enroll("mallory", Faces.Templates(2));
        }
        // Someone with write access to the database re-labels mallory's template as alice's.
        Assert.Equal(1, _fixture.Execute("UPDATE templates SET subject_id = (SELECT id FROM subjects WHERE name = 'alice') " +
                                         "WHERE subject_id = (SELECT id FROM subjects WHERE name = 'mallory')"));

        var error = Assert.Throws<FaceKitException>(() => _fixture.Open(With(Key)));

        Assert.Contains("does not open with this key", error.Message);
    }

    [PostgresFact]
    public void SecondNode_WithTheSameKey_OpensSealedRowsItIsNotified()
    {
        var a = _fixture.Open(With(Key));
        var b = _fixture.Open(With(Key));

        a.Enroll("alice", [Faces.Near(1, 1)], [Encoding.ASCII.GetBytes("jpeg")]);

        Assert.True(SpinWait.SpinUntil(() => b.TemplateCount == 1, TimeSpan.FromSeconds(5)), "node B never saw the enrolment");
        Assert.Equal("alice", b.Identify(Faces.Near(1, 9), 1)[0].Name);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresAuditTests(TestPostgresFixture server) : IDisposable
{
    private readonly PgGalleryFixture _fixture = new(server);

    public void Dispose() => _fixture.Dispose();

    [PostgresFact]
    public void EveryChangeAndIdentification_IsRecorded_WithTimeActionSubjectAndCaller()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var gallery = _fixture.Open(new GalleryOptions { Clock = clock, CallerId = "cli:ops" });
        var api = gallery.ForCaller("key-42");

        gallery.Enroll("alice", [Faces.Near(1, 1), Faces.Near(1, 2)]);
        api.Enroll("bob", Faces.Templates(2));
        api.Identify(Faces.Near(1, 5), 3);
        gallery.Rename("bob", "robert");
        gallery.DeleteTemplate(gallery.ListTemplates("alice")[0].Id);
        api.DeleteSubject("robert");
        Assert.Throws<FaceKitException>(() => gallery.Enroll("alice", [Faces.Template(2, model: "other/model@1")]));
        Assert.Throws<FaceKitException>(() => gallery.DeleteSubject("nobody"));

        var events = gallery.ReadAudit();
        Assert.Equal(
            [("enroll", "alice", "cli:ops"), ("enroll", "bob", "key-42"), ("identify", "alice", "key-42"),
             ("rename", "robert", "cli:ops"), ("delete-template", "alice", "cli:ops"), ("delete-subject", "robert", "key-42")],
            events.Select(e => (e.Action, e.Subject, e.Caller)));
        Assert.All(events, e => Assert.Equal(clock.GetUtcNow().UtcDateTime, e.TimeUtc));
        Assert.Equal("templates=2", events[0].Detail);
        Assert.StartsWith("top=3 matches=", events[2].Detail);
        Assert.Equal("from=bob", events[3].Detail);
    }

    [PostgresFact]
    public void Retention_DeletesOldEvents_AtOpenAndWhileWriting()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new GalleryOptions { Clock = clock, Audit = new GalleryAuditOptions { Retention = TimeSpan.FromDays(30) } };
        using (var gallery = PostgresGallery.Open(_fixture.Url, options))
        {
            gallery.Enroll("old", Faces.Templates(1));
            clock.Advance(TimeSpan.FromDays(20));
            gallery.Enroll("middle", Faces.Templates(2));
            clock.Advance(TimeSpan.FromDays(15));
            gallery.Enroll("new", Faces.Templates(3));
            Assert.Equal(["middle", "new"], gallery.ReadAudit().Select(e => e.Subject));
        }
        clock.Advance(TimeSpan.FromDays(16));
        using var reopened = PostgresGallery.Open(_fixture.Url, options);
        Assert.Equal(["new"], reopened.ReadAudit().Select(e => e.Subject));
    }

    [PostgresFact]
    public void IdentifyAuditing_CanBeTurnedOff_AndABurstIsBatched_YetEveryEventIsStoredByClose()
    {
        var quiet = _fixture.Open(new GalleryOptions { Audit = new GalleryAuditOptions { IncludeIdentify = false } });
        quiet.Enroll("alice", Faces.Templates(1));
        quiet.Identify(Faces.Template(1), 1);
        Assert.Equal(["enroll"], quiet.ReadAudit().Select(e => e.Action));

        using (var busy = PostgresGallery.Open(_fixture.Url))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 300; i++) busy.Identify(Faces.Template(1), 1);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"300 identifications took {clock.Elapsed}");
        }
        Assert.Equal(300L, _fixture.Scalar("SELECT count(*) FROM audit WHERE action = 'identify' AND subject = 'alice'"));

        var off = PostgresGallery.Open(_fixture.Server.Url(_fixture.Server.CreateDatabase()),
            new GalleryOptions { Audit = new GalleryAuditOptions { Enabled = false } });
        _fixture.Track(off);
        off.Enroll("alice", Faces.Templates(1));
        off.Identify(Faces.Template(1), 1);
        Assert.Empty(off.ReadAudit());
    }
}
