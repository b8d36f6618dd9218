using FaceKit.Gallery.Postgres;
using Microsoft.Extensions.Logging;

namespace FaceKit.Gallery;

/// <summary>
/// Opens the gallery a location names, so callers choose the backend with one string:
/// <c>postgres://user@host:port/database</c> (or <c>postgresql://…</c>, or an Npgsql connection string
/// such as <c>Host=db1;Database=facekit;Username=facekit</c>) opens a <see cref="PostgresGallery"/>
/// shared by many nodes; anything else is the path of a <see cref="SqliteGallery"/> file.
/// </summary>
public static class GalleryFactory
{
    public static IFaceGallery Open(string location, GalleryOptions? options = null, ILogger? logger = null) =>
        IsPostgres(location)
            ? PostgresGallery.Open(location, options, logger)
            : SqliteGallery.Open(location, options, logger);

    /// <summary>Whether <paramref name="location"/> names a PostgreSQL database rather than a file.</summary>
    public static bool IsPostgres(string? location) => PostgresLocation.Matches(location);

    /// <summary>
    /// The location as it may be printed or logged: a PostgreSQL location without its password,
    /// a file as its full path.
    /// </summary>
    public static string Describe(string location)
    {
        if (IsPostgres(location)) return PostgresLocation.Parse(location).Display;
        try { return Path.GetFullPath(location); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return location; }
    }
}
