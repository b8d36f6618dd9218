using FaceKit.Core.Errors;
using Microsoft.Data.Sqlite;

namespace FaceKit.Gallery.Tests;

public sealed class AuditTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
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

    [Fact]
    public void FailedChange_LeavesNoAuditRow()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));

        Assert.Throws<FaceKitException>(() => gallery.Enroll("alice", [Faces.Template(2, model: "other/model@1")]));
        Assert.Throws<FaceKitException>(() => gallery.DeleteSubject("nobody"));

        Assert.Single(gallery.ReadAudit());
    }

    [Fact]
    public void Retention_DeletesOldEvents_AtOpenAndWhileWriting()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new GalleryOptions { Clock = clock, Audit = new GalleryAuditOptions { Retention = TimeSpan.FromDays(30) } };
        using (var gallery = SqliteGallery.Open(_fixture.DbPath, options))
        {
            gallery.Enroll("old", Faces.Templates(1));
            clock.Advance(TimeSpan.FromDays(20));
            gallery.Enroll("middle", Faces.Templates(2));
            clock.Advance(TimeSpan.FromDays(15));            // "old" is now 35 days old
            gallery.Enroll("new", Faces.Templates(3));       // a write purges (more than a minute since the last)
            Assert.Equal(["middle", "new"], gallery.ReadAudit().Select(e => e.Subject));
        }
        clock.Advance(TimeSpan.FromDays(16));                // "middle" is 31 days old
        using var reopened = SqliteGallery.Open(_fixture.DbPath, options);
        Assert.Equal(["new"], reopened.ReadAudit().Select(e => e.Subject));
    }

    [Fact]
    public void IdentifyAuditing_CanBeTurnedOff_AndAuditAltogether()
    {
        var noIdentify = _fixture.Open(new GalleryOptions { Audit = new GalleryAuditOptions { IncludeIdentify = false } });
        noIdentify.Enroll("alice", Faces.Templates(1));
        noIdentify.Identify(Faces.Template(1), 1);
        Assert.Equal(["enroll"], noIdentify.ReadAudit().Select(e => e.Action));

        var off = _fixture.Open(_fixture.File("off.db"), new GalleryOptions { Audit = new GalleryAuditOptions { Enabled = false } });
        off.Enroll("alice", Faces.Templates(1));
        off.Identify(Faces.Template(1), 1);
        Assert.Empty(off.ReadAudit());
    }

    [Fact]
    public void ReadOnlyGallery_IdentifiesWithoutWritingAudit()
    {
        using (var gallery = SqliteGallery.Open(_fixture.DbPath)) gallery.Enroll("alice", Faces.Templates(1));
        var readOnly = _fixture.Open(new GalleryOptions { ReadOnly = true });

        Assert.Equal("alice", readOnly.Identify(Faces.Template(1), 1)[0].Name);
        Assert.Single(readOnly.ReadAudit());
    }

    [Fact]
    public void AuditRowsFromAnotherProcess_DoNotForceATemplateReload()
    {
        var reader = _fixture.Open();
        var writer = _fixture.Open();
        writer.Enroll("alice", Faces.Templates(1));
        Assert.Equal(1, reader.TemplateCount);

        // Identifications by the other instance write audit rows (data_version moves) but change no
        // templates; the reader keeps answering, and still sees a real change.
        for (int i = 0; i < 5; i++) writer.Identify(Faces.Template(1), 1);
        Assert.Equal("alice", reader.Identify(Faces.Template(1), 1)[0].Name);
        writer.Enroll("bob", Faces.Templates(2));
        Assert.Equal("bob", reader.Identify(Faces.Template(2), 1)[0].Name);
        Assert.Equal(9, reader.ReadAudit().Count);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}

public sealed class AuditUnderLockTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void IdentifyWhileAnotherWriterHoldsTheLock_Answers_AndItsEventIsWrittenLater()
    {
        var gallery = _fixture.Open();
        gallery.Enroll("alice", Faces.Templates(1));
        using (var blocker = new SqliteConnection($"Data Source={_fixture.DbPath};Pooling=False"))
        {
            blocker.Open();
            using var begin = blocker.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();

            Assert.Equal("alice", gallery.Identify(Faces.Template(1), 1)[0].Name);
            Assert.Equal("alice", gallery.Identify(Faces.Template(1), 1)[0].Name);
        }

        gallery.Enroll("bob", Faces.Templates(2));   // the next write carries the queued events

        Assert.Equal(["enroll", "identify", "identify", "enroll"], gallery.ReadAudit().Select(e => e.Action));
    }
}

public sealed class AuditBatchingTests : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void ABurstOfIdentifications_IsBatched_AndEveryEventReachesTheFile_ByClose()
    {
        using (var gallery = SqliteGallery.Open(_fixture.DbPath))
        {
            gallery.Enroll("alice", Faces.Templates(1));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 300; i++) gallery.Identify(Faces.Template(1), 1);
            // Well under one commit per identification: 300 fsyncs would take far longer on most disks.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"300 identifications took {clock.Elapsed}");
        }

        using var reopened = SqliteGallery.Open(_fixture.DbPath, new GalleryOptions { ReadOnly = true });
        Assert.Equal(300, reopened.ReadAudit().Count(e => e.Action == "identify" && e.Subject == "alice"));
    }
}
