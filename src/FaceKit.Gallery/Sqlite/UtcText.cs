using System.Globalization;

namespace FaceKit.Gallery.Sqlite;

/// <summary>
/// Times are stored as ISO-8601 UTC text: readable in the sqlite3 shell, sortable as text, and
/// understood by SQLite's own date functions.
/// </summary>
internal static class UtcText
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string From(DateTimeOffset time) =>
        time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTime Parse(string text) =>
        DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
