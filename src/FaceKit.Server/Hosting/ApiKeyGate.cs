using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace FaceKit.Server.Hosting;

/// <summary>
/// Everything under /api asks for a configured key unless the caller is on loopback. The key comes in the
/// X-Api-Key header, or in a cookie the page sets, because a browser cannot add headers to an &lt;img&gt; stream.
/// </summary>
internal sealed class ApiKeyGate(ServerState state)
{
    public const string Header = "X-Api-Key";
    public const string Cookie = "facekit_api_key";

    public async Task Invoke(HttpContext context, Func<Task> next)
    {
        if (!context.Request.Path.StartsWithSegments("/api") || Allowed(context))
        {
            await next();
            return;
        }
        var keys = state.Config.ApiKeys;
        var detail = keys.Count == 0
            ? "this server has no API keys configured; only loopback callers are served"
            : $"send a valid API key in the {Header} header";
        await ErrorResponses.Problem(StatusCodes.Status401Unauthorized, detail, "Unauthorized").ExecuteAsync(context);
    }

    private bool Allowed(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (!state.Options.RequireKeyOnLoopback && remote is not null && System.Net.IPAddress.IsLoopback(remote)) return true;
        string? given = context.Request.Headers[Header].FirstOrDefault() ?? context.Request.Cookies[Cookie];
        if (string.IsNullOrEmpty(given)) return false;
        var bytes = Encoding.UTF8.GetBytes(given);
        bool ok = false;
        foreach (var key in state.Config.ApiKeys)
            ok |= key.Length > 0 && CryptographicOperations.FixedTimeEquals(bytes, Encoding.UTF8.GetBytes(key));
        return ok;
    }
}
