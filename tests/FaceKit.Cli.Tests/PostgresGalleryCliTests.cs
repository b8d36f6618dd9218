using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;
using Xunit.Abstractions;

namespace FaceKit.Cli.Tests;

/// <summary>
/// The "several nodes" case as users meet it: separate facekit processes sharing one PostgreSQL
/// gallery through <c>--gallery postgres://…</c>; what one process enrols, another identifies.
/// </summary>
public sealed class PostgresGalleryCliTests(TestPostgresFixture server, ITestOutputHelper output) : IClassFixture<TestPostgresFixture>
{
    /// <summary>A person whose second photo is far above the threshold against the first (unit/pairs.csv).</summary>
    private const string Person = "Abdullah";

    [PostgresRealModelFact]
    public void EnrollInSeveralProcesses_ThenIdentifyRenameAndDeleteInOthers_AllSeeOneGallery()
    {
        var gallery = server.Server.Url(server.Server.CreateDatabase());
        var people = UnitFaces.People.Where(p => p != Person).Take(3).Prepend(Person).ToList();

        // Four processes enrol at once into an empty database: they also race to create the tables.
        var enrolments = new CliResult[people.Count];
        Parallel.For(0, people.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            enrolments[i] = Facekit.Run("enroll", "--json", "--gallery", gallery, people[i], UnitFaces.Photo(people[i], 1)));
        foreach (var run in enrolments) CliAssert.Succeeded(run);
        output.WriteLine($"enrol: {string.Join(", ", enrolments.Select(r => $"{r.Elapsed.TotalSeconds:F1} s"))}");

        var identify = Facekit.Run("identify", "--json", "--top", "2", "--gallery", gallery, UnitFaces.Photo(Person, 2));
        CliAssert.Succeeded(identify);
        output.WriteLine($"identify: {identify.Elapsed.TotalSeconds:F1} s");
        var face = identify.Json.GetProperty("faces")[0];
        Assert.Equal(Person, face.GetProperty("identity").GetString());
        Assert.Equal(2, face.GetProperty("matches").GetArrayLength());

        var list = Facekit.Run("gallery", "list", "--json", "--gallery", gallery);
        CliAssert.Succeeded(list);
        var subjects = list.Json.GetProperty("subjects").EnumerateArray().ToArray();
        Assert.Equal(people.Order(StringComparer.Ordinal), subjects.Select(s => s.GetProperty("name").GetString()!));
        Assert.All(subjects, s => Assert.Equal(1, s.GetProperty("templates").GetInt32()));
        Assert.False(string.IsNullOrEmpty(list.Json.GetProperty("model").GetString()));

        CliAssert.Succeeded(Facekit.Run("gallery", "rename", "--gallery", gallery, Person, "Abdullah the Renamed"));
        var renamed = Facekit.Run("identify", "--json", "--top", "1", "--gallery", gallery, UnitFaces.Photo(Person, 2));
        CliAssert.Succeeded(renamed);
        Assert.Equal("Abdullah the Renamed", renamed.Json.GetProperty("faces")[0].GetProperty("identity").GetString());

        CliAssert.Succeeded(Facekit.Run("gallery", "delete", "--gallery", gallery, "Abdullah the Renamed"));
        var deleted = Facekit.Run("identify", "--json", "--top", "5", "--gallery", gallery, UnitFaces.Photo(Person, 2));
        Assert.True(deleted.ExitCode is CliAssert.Success or CliAssert.Negative, deleted.ToString());
        Assert.DoesNotContain("Abdullah the Renamed",
            deleted.Json.GetProperty("faces")[0].GetProperty("matches").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
    }

    [PostgresRealModelFact]
    public void Identify_DatabaseWithoutAGalleryYet_ExitsTwoWithOneLine()
    {
        var gallery = server.Server.Url(server.Server.CreateDatabase());

        var run = Facekit.Run("identify", "--gallery", gallery, UnitFaces.Photo(Person, 2));

        CliAssert.BadInputWithOneLine(run, "does not exist", gallery);
    }
}
