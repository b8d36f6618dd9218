using System.Diagnostics;
using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace FaceKit.Gallery.Tests;

/// <summary>
/// A real child process enrols in a loop and is killed with SIGKILL at random points; everything it
/// reported as enrolled must be there afterwards, whole, in a file that passes integrity_check.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private const string Model = "test/arcface@1";
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(false, 5)]
    [InlineData(true, 3)]
    public void KilledMidEnrolment_EveryAcknowledgedEnrolmentSurvives_AndTheFileIsIntact(bool encrypted, int kills)
    {
        string? key = encrypted ? GalleryKey.Generate() : null;
        var random = new Random(encrypted ? 7 : 3);
        var acknowledged = new List<string>();
        int diedMidWay = 0;
        for (int round = 0; round < kills; round++)
        {
            int killAfter = random.Next(3, 120);
            var (acks, finished) = RunAndKill($"r{round}", count: 1000, killAfter, random.Next(0, 4), key);
            acknowledged.AddRange(acks);
            if (!finished) diedMidWay++;
            output.WriteLine($"round {round}: killed after {acks.Count} acknowledged enrolments");
            Assert.True(acks.Count >= killAfter, $"round {round}: only {acks.Count} acknowledgements before the kill");
        }

        using (var connection = new SqliteConnection($"Data Source={_fixture.DbPath};Pooling=False"))
        {
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
            check.CommandText = "SELECT count(*) FROM templates t WHERE (SELECT count(*) FROM templates u WHERE u.subject_id = t.subject_id) <> 2";
            Assert.Equal(0L, check.ExecuteScalar()); // no subject with half its templates
        }

        using var gallery = SqliteGallery.Open(_fixture.DbPath, new GalleryOptions { EncryptionKey = key is null ? null : GalleryKey.Parse(key, "test") });
        var stored = gallery.ListSubjects().ToDictionary(s => s.Name);
        foreach (var name in acknowledged)
        {
            Assert.True(stored.TryGetValue(name, out var subject), $"{name} was acknowledged but is missing");
            Assert.Equal(2, subject!.TemplateCount);
            var match = gallery.Identify(new Embedding(CrashVectors.For(name, 1), Model), 1)[0];
            Assert.Equal(name, match.Name);
            Assert.True(match.Similarity > 0.999f, $"{name}: stored vector differs ({match.Similarity})");
        }
        // At most one unacknowledged enrolment per kill may have committed before its "ok" was printed.
        Assert.InRange(stored.Count - acknowledged.Count, 0, kills);
        output.WriteLine($"{(encrypted ? "encrypted" : "clear")}: {kills} kills ({diedMidWay} mid-run), {acknowledged.Count} acknowledged, " +
                         $"{stored.Count} stored, {gallery.TemplateCount} templates, integrity ok");
    }

    private (List<string> Acks, bool Finished) RunAndKill(string prefix, int count, int killAfter, int extraSpinMs, string? key)
    {
        var start = new ProcessStartInfo(DotnetHost(), [Path.Combine(AppContext.BaseDirectory, "FaceKit.Gallery.CrashHelper.dll"),
            _fixture.DbPath, prefix, count.ToString(System.Globalization.CultureInfo.InvariantCulture), .. key is null ? Array.Empty<string>() : [key]])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var child = Process.Start(start)!;
        var acks = new List<string>();
        bool finished = false;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var line = child.StandardOutput.ReadLine();
            if (line is null) break;
            if (line == "done") { finished = true; break; }
            if (!line.StartsWith("ok ", StringComparison.Ordinal)) continue;
            acks.Add($"{prefix}-{line[3..]}");
            if (acks.Count >= killAfter)
            {
                // Land somewhere inside the next enrolment (or between two).
                var spin = Stopwatch.StartNew();
                while (spin.Elapsed.TotalMilliseconds < extraSpinMs) Thread.SpinWait(100);
                child.Kill(); // SIGKILL on Unix: no finalisers, no Dispose, no flush
                break;
            }
        }
        child.WaitForExit(10_000);
        // Anything acknowledged after our last read is still in the pipe: those are acknowledged too.
        string rest = child.StandardOutput.ReadToEnd();
        foreach (var line in rest.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.StartsWith("ok ", StringComparison.Ordinal)) acks.Add($"{prefix}-{line[3..].Trim()}");
        string errors = child.StandardError.ReadToEnd();
        Assert.True(string.IsNullOrWhiteSpace(errors), $"child wrote to stderr: {errors}");
        return (acks, finished);
    }

    internal static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
            return Path.Combine(root, "dotnet");
        return "dotnet";
    }
}

/// <summary>8 gallery instances (own connections, as separate processes would have) writing and reading at once.</summary>
public sealed class ConcurrencyTests(ITestOutputHelper output) : IDisposable
{
    private readonly GalleryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void EightWritersAndReaders_LoseAndDuplicateNothing_AndNoLockErrorSurfaces()
    {
        const int Workers = 8;
        var duration = TimeSpan.FromSeconds(12);
        using (SqliteGallery.Open(_fixture.DbPath)) { } // created once, so the workers race on writes, not on creation
        var enrolled = new List<string>[Workers];
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        int identifications = 0, listings = 0;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, Workers).Select(w => new Thread(() =>
        {
            var mine = enrolled[w] = [];
            try
            {
                using var gallery = SqliteGallery.Open(_fixture.DbPath, new GalleryOptions { LockTimeout = TimeSpan.FromSeconds(30) });
                var random = new Random(w);
                for (int n = 0; clock.Elapsed < duration; n++)
                {
                    string name = $"w{w}-{n}";
                    gallery.Enroll(name, [new Embedding(CrashVectors.For(name, 0), "test/arcface@1")]);
                    mine.Add(name);
                    // Read back our own write, and someone else's, through identification.
                    var own = gallery.Identify(new Embedding(CrashVectors.For(name, 0), "test/arcface@1"), 1);
                    if (own.Count == 0 || own[0].Name != name) throw new InvalidOperationException($"{name} not found right after its enrolment");
                    Interlocked.Increment(ref identifications);
                    if (random.Next(5) == 0)
                    {
                        if (gallery.ListSubjects().Count == 0) throw new InvalidOperationException("empty listing");
                        Interlocked.Increment(ref listings);
                    }
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.True(errors.IsEmpty, string.Join("\n", errors.Select(e => $"{e.GetType().Name}: {e.Message}")));
        var expected = enrolled.SelectMany(e => e).ToList();
        using var check = SqliteGallery.Open(_fixture.DbPath);
        var subjects = check.ListSubjects();
        Assert.Equal(expected.Order(StringComparer.Ordinal), subjects.Select(s => s.Name));   // none lost, none extra (names unique)
        Assert.All(subjects, s => Assert.Equal(1, s.TemplateCount));                           // none duplicated
        Assert.Equal(expected.Count, check.TemplateCount);
        foreach (var name in expected.Where((_, i) => i % 25 == 0))
            Assert.Equal(name, check.Identify(new Embedding(CrashVectors.For(name, 0), "test/arcface@1"), 1)[0].Name);
        var audit = check.ReadAudit(limit: 1_000_000);
        Assert.Equal(expected.Count, audit.Count(e => e.Action == "enroll"));
        output.WriteLine($"{Workers} workers, {clock.Elapsed.TotalSeconds:0.0} s: {expected.Count} enrolments " +
                         $"({string.Join("/", enrolled.Select(e => e.Count))}), {identifications} identifications, {listings} listings, " +
                         $"{audit.Count(e => e.Action == "identify")} identify audit rows, 0 errors");
    }
}
