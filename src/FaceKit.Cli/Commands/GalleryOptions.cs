using System.CommandLine;

namespace FaceKit.Cli.Commands;

/// <summary>The --gallery option shared by enroll, identify and gallery.</summary>
public static class GalleryPathOption
{
    public static Option<string> Create() => new("--gallery")
    {
        Description = "gallery database file (SQLite; created on first enrolment)",
        Required = true,
    };
}
