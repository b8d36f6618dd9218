using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

/// <summary>
/// A gallery with the 10 unit/ people enrolled from their _0001 photo, built once (lazily, so skipped tests
/// cost nothing) by `facekit enroll`. Tests that change a gallery work on a copy (<see cref="CopyInto"/>).
/// </summary>
public sealed class EnrolledGallery : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly Lazy<string> _path;

    public EnrolledGallery() => _path = new Lazy<string>(Build);

    public string Path => _path.Value;

    public IReadOnlyList<string> People => UnitFaces.People;

    /// <summary>A private copy of the enrolled gallery in <paramref name="folder"/>.</summary>
    public string CopyInto(TempDirectory folder) => GalleryFiles.Copy(Path, folder.File("copy.db"));

    private string Build()
    {
        var gallery = _temp.File("people.db");
        var people = UnitFaces.People;
        // The first enrolment creates the file; the rest go two at a time, like two users sharing one gallery.
        Enroll(gallery, people[0]);
        Parallel.ForEach(people.Skip(1), new ParallelOptions { MaxDegreeOfParallelism = 2 }, p => Enroll(gallery, p));
        return gallery;
    }

    private static void Enroll(string gallery, string person)
    {
        var run = Facekit.Run("enroll", "--gallery", gallery, person, UnitFaces.Photo(person, 1));
        if (run.ExitCode != 0) throw new InvalidOperationException($"could not build the test gallery:\n{run}");
    }

    public void Dispose() => _temp.Dispose();
}
