using System.Text.Json;

namespace FaceKit.Cli.Tests.Infrastructure;

/// <summary>Reading a gallery the way a user does (`facekit gallery list --json`), and copying one for a test to change.</summary>
public static class GalleryFiles
{
    /// <summary>
    /// What `gallery list --json` says: its whole text (equal before and after, with every subject's
    /// updated_utc, means nothing was written) and the template count.
    /// </summary>
    public static GalleryListing Listing(string gallery)
    {
        var list = Facekit.Run("gallery", "list", "--json", "--gallery", gallery);
        CliAssert.Succeeded(list);
        var subjects = list.Json.GetProperty("subjects").EnumerateArray()
            .Select(s => (s.GetProperty("name").GetString()!, s.GetProperty("templates").GetInt32())).ToList();
        return new GalleryListing(list.Stdout, subjects);
    }

    public static IReadOnlyList<(string Name, int Templates)> Subjects(string gallery) => Listing(gallery).Subjects;

    /// <summary>Copies a closed gallery (its SQLite file and any write-ahead log) to <paramref name="destination"/>.</summary>
    public static string Copy(string gallery, string destination)
    {
        File.Copy(gallery, destination);
        if (File.Exists(gallery + "-wal")) File.Copy(gallery + "-wal", destination + "-wal");
        return destination;
    }
}

public sealed record GalleryListing(string Text, IReadOnlyList<(string Name, int Templates)> Subjects)
{
    public int TemplateCount => Subjects.Sum(s => s.Templates);
}
