using System.Diagnostics;
using FaceKit.Gallery.Postgres;
using FaceKit.Testing;

namespace FaceKit.Gallery.Tests.Postgres;

/// <summary>
/// A PostgreSQL node above its ANN threshold (set low here) searches through an in-memory IVF index that follows
/// its own and the other nodes' changes, with the answers of exact search.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAnnTests(TestPostgresFixture server) : IDisposable
{
    private const int People = 150;
    private static readonly GalleryOptions AnnOptions = new() { AnnThreshold = 100 };

    private readonly PgGalleryFixture _fixture = new(server);

    public void Dispose() => _fixture.Dispose();

    [PostgresFact]
    public void Identify_AboveTheThreshold_GoesThroughTheIndex_OnBothNodes_AndFollowsTheOtherNodesChanges()
    {
        var a = _fixture.Open(AnnOptions);
        var b = _fixture.Open(AnnOptions);
        var exact = _fixture.Open(AnnOptions with { AnnThreshold = int.MaxValue });
        for (int person = 1; person <= People; person++) a.Enroll($"person-{person}", [Faces.Near(person, 1)]);
        WaitUntil(() => b.TemplateCount == People && exact.TemplateCount == People, "node B and the exact node to see every enrolment");

        foreach (int person in new[] { 1, 37, 99, 150 })
        {
            var probe = Faces.Near(person, 2);
            Assert.Equal($"person-{person}", a.Identify(probe, 1)[0].Name);
            // The best match is exact (candidates are rescored in float); ranks below it among random impostors need not be.
            Assert.Equal(exact.Identify(probe, 1)[0], b.Identify(probe, 1)[0]);
        }
        Assert.Equal(People, a.Ann.Index!.Count);
        Assert.Equal("built", b.Ann.LastEvent);
        Assert.Null(exact.Ann.Index);

        a.Enroll("newcomer", [Faces.Near(999, 1)]);
        a.DeleteSubject("person-37");
        WaitUntil(() => b.TemplateCount == People, "node B to apply the enrolment and the deletion");
        Assert.Equal("newcomer", b.Identify(Faces.Near(999, 2), 1)[0].Name);
        Assert.DoesNotContain(b.Identify(Faces.Near(37, 2), 5), m => m.Name == "person-37");
        Assert.Equal(People, b.Ann.Index!.Count);
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) throw new Xunit.Sdk.XunitException($"waited 10 s for {what}");
            Thread.Sleep(5);
        }
    }
}
