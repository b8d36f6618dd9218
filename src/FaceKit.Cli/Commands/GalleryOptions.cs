using System.CommandLine;

namespace FaceKit.Cli.Commands;

/// <summary>The --gallery option shared by enroll, identify and gallery.</summary>
public static class GalleryPathOption
{
    public static Option<string> Create() => new("--gallery")
    {
        Description = "gallery: a SQLite file (created on first enrolment) or postgres://user@host:port/db (PostgreSQL, several nodes)",
        Required = true,
    };
}
