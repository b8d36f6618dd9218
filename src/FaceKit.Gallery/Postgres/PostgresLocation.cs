using System.Text.RegularExpressions;
using FaceKit.Core.Errors;
using Npgsql;

namespace FaceKit.Gallery.Postgres;

/// <summary>
/// Where a PostgreSQL gallery lives, given as a URL (<c>postgres://user[:password]@host[:port]/db[?key=value…]</c>,
/// as libpq and most tools write it) or as Npgsql's keyword form (<c>Host=…;Database=…;Username=…</c>).
/// <see cref="Display"/> names it in messages and logs without any password.
/// </summary>
internal sealed partial class PostgresLocation
{
    private PostgresLocation(NpgsqlConnectionStringBuilder builder)
    {
        Builder = builder;
        // Unless the caller chose: fail over to the retry loop soon instead of waiting 15 s on one attempt.
        if (!Given(builder, "Timeout")) builder.Timeout = 5;
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "facekit";
        string user = string.IsNullOrEmpty(builder.Username) ? "" : Uri.EscapeDataString(builder.Username) + "@";
        string host = builder.Host ?? "localhost";
        if (host.Contains(':') && !host.Contains(',') && !host.StartsWith('/')) host = $"[{host}]";
        Display = $"postgres://{user}{host}:{builder.Port}/{Uri.EscapeDataString(builder.Database ?? builder.Username ?? "")}";
    }

    /// <summary>The connection settings (with a password, when one was given).</summary>
    public NpgsqlConnectionStringBuilder Builder { get; }

    /// <summary><c>postgres://user@host:port/db</c>: safe to print.</summary>
    public string Display { get; }

    /// <summary>Whether <paramref name="location"/> names a PostgreSQL database rather than a file.</summary>
    public static bool Matches(string? location) =>
        location is not null && (IsUrl(location) || KeywordForm().IsMatch(location));

    public static PostgresLocation Parse(string location)
    {
        if (string.IsNullOrWhiteSpace(location)) throw FaceKitException.BadInput("gallery location is empty");
        location = location.Trim();
        return new PostgresLocation(IsUrl(location) ? FromUrl(location) : FromKeywords(location));
    }

    private static bool IsUrl(string location) =>
        location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
        location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    // Host= or Server= as a keyword of a connection string: a file path practically never looks like this.
    [GeneratedRegex(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeywordForm();

    private static NpgsqlConnectionStringBuilder FromKeywords(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            // Npgsql's message names the bad keyword, never a value, so no password can leak.
            throw FaceKitException.BadInput($"gallery connection string is not valid: {e.Message}", e);
        }
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string text)
    {
        // Scheme names the URL "postgres" in the message; the text itself may hold a password.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) && uri.Authority.Length == 0)
            throw FaceKitException.BadInput("gallery URL is not a valid postgres://user@host:port/database URL");
        var builder = new NpgsqlConnectionStringBuilder { Host = string.IsNullOrEmpty(uri.Host) ? "localhost" : uri.IdnHost.Trim('[', ']') };
        if (!uri.IsDefaultPort && uri.Port > 0) builder.Port = uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Contains('/')) throw FaceKitException.BadInput($"gallery URL names the database '{database}'; a database name has no '/'");
        if (database.Length > 0) builder.Database = database;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).Replace('+', ' ');
            string value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            try
            {
                builder[LibpqNames.GetValueOrDefault(key.ToLowerInvariant(), key)] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw FaceKitException.BadInput($"gallery URL parameter '{key}' is not understood: {e.Message}", e);
            }
        }
        return builder;
    }

    /// <summary>libpq's URL parameter names that Npgsql spells differently.</summary>
    private static readonly Dictionary<string, string> LibpqNames = new()
    {
        ["sslmode"] = "SSL Mode",
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["target_session_attrs"] = "Target Session Attributes",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslrootcert"] = "Root Certificate",
        ["options"] = "Options",
        ["user"] = "Username",
        ["dbname"] = "Database",
        ["host"] = "Host",
        ["port"] = "Port",
    };

    /// <summary>Whether the caller set <paramref name="keyword"/> (Npgsql's builder reports defaults for the rest).</summary>
    private static bool Given(NpgsqlConnectionStringBuilder builder, string keyword) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = builder.ConnectionString }.ContainsKey(keyword);
}
