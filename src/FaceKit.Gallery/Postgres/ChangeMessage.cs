using System.Globalization;

namespace FaceKit.Gallery.Postgres;

/// <summary>
/// What one committed change did, sent with NOTIFY in the changing transaction so it arrives only
/// if (and once) the change commits. It carries ids, never vectors: a notification passes through
/// the server's queue files, and sealed templates must not be there in the clear. A receiver reads
/// the rows it names. Text form: <c>1 GENERATION OP SUBJECT [ID,ID…]</c>.
/// </summary>
internal readonly record struct ChangeMessage(long Generation, string Op, long SubjectId, long[] TemplateIds)
{
    public const string Enroll = "enroll";
    public const string Rename = "rename";
    public const string DeleteSubject = "delete-subject";
    public const string DeleteTemplate = "delete-template";
    /// <summary>Too big to describe (or of an unknown kind): receivers reload everything.</summary>
    public const string Reload = "reload";

    /// <summary>Keeps a payload well below PostgreSQL's limit (8000 bytes).</summary>
    public const int MaxIds = 400;
    private const int MaxLength = 4000;

    public string Format()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"1 {Generation} {Op} {SubjectId}");
        if (TemplateIds.Length == 0) return text;
        var full = text + " " + string.Join(',', TemplateIds.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        return TemplateIds.Length <= MaxIds && full.Length <= MaxLength
            ? full
            : (this with { Op = Reload, TemplateIds = [] }).Format();
    }

    /// <summary>The message, or null when it is not one this code understands (the receiver then reloads).</summary>
    public static ChangeMessage? Parse(string? payload)
    {
        var parts = (payload ?? "").Split(' ');
        if (parts.Length is < 4 or > 5 || parts[0] != "1") return null;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long generation)) return null;
        if (!long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out long subject)) return null;
        var ids = new List<long>();
        if (parts.Length == 5)
            foreach (var id in parts[4].Split(','))
            {
                if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out long value)) return null;
                ids.Add(value);
            }
        return parts[2] is Enroll or Rename or DeleteSubject or DeleteTemplate or Reload
            ? new ChangeMessage(generation, parts[2], subject, [.. ids])
            : new ChangeMessage(generation, Reload, subject, []);
    }
}
