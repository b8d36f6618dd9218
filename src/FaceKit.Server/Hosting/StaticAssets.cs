using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FaceKit.Server.Hosting;

/// <summary>Serves the web UI (index.html, app.js, app.css) from the assembly's embedded resources.</summary>
internal static class StaticAssets
{
    private static readonly Dictionary<string, string> Types = new()
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var assembly = typeof(StaticAssets).Assembly;
        var files = assembly.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal))
            .ToDictionary(n => n["wwwroot".Length..], n => Read(assembly, n));
        app.MapGet("/", () => Serve(files, "/index.html")).ExcludeFromDescription();
        app.MapGet("/{file}", (string file) => Serve(files, "/" + file)).ExcludeFromDescription();
    }

    private static IResult Serve(Dictionary<string, byte[]> files, string path) =>
        files.TryGetValue(path, out var bytes)
            ? Results.Bytes(bytes, Types.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream"))
            : Results.NotFound();

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
