using FaceKit.Core.Errors;
using FaceKit.Server.Configuration;
using FaceKit.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FaceKit.Server.Live;

/// <summary>/api/v1/settings: the match threshold (kept in the gallery) and the stream settings (kept in the config file).</summary>
internal static class SettingsEndpoints
{
    internal sealed record FaceSettings(float? Threshold);

    public static void Map(IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("/api/v1/settings").WithTags("settings");

        settings.MapGet("/face", (ServerState s) => Results.Ok(new { threshold = s.Video.Threshold }));

        settings.MapPut("/face", async (HttpRequest request, ServerState s, CancellationToken cancel) =>
        {
            var body = await Body<FaceSettings>(request, cancel);
            if (body.Threshold is not { } t || !float.IsFinite(t) || t is < -1 or > 1)
                throw FaceKitException.BadInput("'threshold' must be a number from -1 to 1");
            s.SetThreshold(t);
            return Results.Ok(new { threshold = t });
        }).WithSummary("Set the match threshold; applies to the live view at once");

        settings.MapGet("/stream", (ServerState s) => Results.Ok(View(s)));

        settings.MapPut("/stream", async (HttpRequest request, ServerState s, CancellationToken cancel) =>
        {
            var body = (await Body<StreamSettings>(request, cancel)).MergedOnto(s.Config.Stream);
            body.Validate();
            body.ToSource();
            s.SaveStream(body);
            s.Video.Apply(body);
            return Results.Ok(View(s));
        }).WithSummary("Change and save the stream settings; the stream restarts with them");
    }

    private static object View(ServerState s) => new
    {
        settings = s.Video.Settings.Redacted(),
        view_presets = StreamSettings.ViewPresets.Select(p => new[] { p.Width, p.Height }),
        source_types = StreamSettings.SourceTypes,
    };

    private static async Task<T> Body<T>(HttpRequest request, CancellationToken cancel) where T : class
    {
        try
        {
            return await System.Text.Json.JsonSerializer.DeserializeAsync<T>(request.Body, ConfigFile.Json, cancel)
                   ?? throw FaceKitException.BadInput("empty JSON body");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw FaceKitException.BadInput($"not valid JSON for these settings ({e.Message})");
        }
    }
}
