namespace FaceKit.Video.Sources;

/// <summary>Builds and redacts rtsp:// URLs; credentials are escaped so a password may hold ':' or '@'.</summary>
public static class RtspUrl
{
    public static string Build(string host, int port, string? path, string? user, string? password)
    {
        var credentials = string.IsNullOrEmpty(user) ? "" :
            Uri.EscapeDataString(user) + (string.IsNullOrEmpty(password) ? "" : ":" + Uri.EscapeDataString(password)) + "@";
        var p = (path ?? "").TrimStart('/');
        return $"rtsp://{credentials}{host}:{port}/{p}";
    }

    public static string Redact(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return url;
        int at = url.IndexOf('@', scheme + 3);
        int slash = url.IndexOf('/', scheme + 3);
        if (at < 0 || (slash >= 0 && at > slash)) return url;
        var userInfo = url[(scheme + 3)..at];
        int colon = userInfo.IndexOf(':');
        return colon < 0 ? url : url[..(scheme + 3)] + userInfo[..colon] + ":***" + url[at..];
    }
}
