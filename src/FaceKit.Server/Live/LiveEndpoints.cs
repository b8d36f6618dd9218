using System.Text;
using FaceKit.Core.Errors;
using FaceKit.Server.Api;
using FaceKit.Server.Hosting;
using FaceKit.Video.Processing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace FaceKit.Server.Live;

/// <summary>/api/v1/live: the annotated stream, the current tracks, face crops and registration from a track.</summary>
internal static class LiveEndpoints
{
    private const string Boundary = "facekitframe";

    public static void Map(IEndpointRouteBuilder app)
    {
        var live = app.MapGroup("/api/v1/live").WithTags("live");

        live.MapGet("/stream.mjpg", async (HttpContext context, ServerState s, IHostApplicationLifetime lifetime, int? width, int? height) =>
        {
            var (w, h) = ViewSize(s, width, height);
            var response = context.Response;
            response.ContentType = $"multipart/x-mixed-replace; boundary={Boundary}";
            response.Headers.CacheControl = "no-cache, no-store";
            // An endless response: end it when the client leaves or the server shuts down.
            using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            var cancel = both.Token;
            long last = -1;
            RecognitionLoop? loop = null;
            var minGap = TimeSpan.FromSeconds(1 / Math.Clamp(s.Video.Settings.ViewFps, 1, 30));
            long sent = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                while (!cancel.IsCancellationRequested)
                {
                    var current = s.Video.Loop;
                    if (current is null) { await Task.Delay(250, cancel); continue; }
                    if (!ReferenceEquals(current, loop)) (loop, last) = (current, -1);
                    ProcessedFrame frame;
                    using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                    {
                        wait.CancelAfter(TimeSpan.FromSeconds(1));
                        try { frame = await loop.NextAsync(last, wait.Token); }
                        catch (OperationCanceledException) when (!cancel.IsCancellationRequested) { continue; }
                    }
                    last = frame.Sequence;
                    var jpeg = s.Video.Jpeg(frame, w, h);
                    if (jpeg is null) continue; // recycled by a newer frame meanwhile: send that one
                    var header = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n");
                    await response.Body.WriteAsync(header, cancel);
                    await response.Body.WriteAsync(jpeg, cancel);
                    await response.Body.WriteAsync("\r\n"u8.ToArray(), cancel);
                    await response.Body.FlushAsync(cancel);
                    // Never faster than the view rate: the frames in between are neither drawn nor encoded.
                    var pause = minGap - System.Diagnostics.Stopwatch.GetElapsedTime(sent);
                    if (pause > TimeSpan.Zero) await Task.Delay(pause, cancel);
                    sent = System.Diagnostics.Stopwatch.GetTimestamp();
                }
            }
            catch (OperationCanceledException) { }
            catch (IOException) { }
        }).WithSummary("MJPEG stream of annotated frames (multipart/x-mixed-replace)");

        live.MapGet("/frame.jpg", (ServerState s, int? width, int? height) =>
        {
            var (w, h) = ViewSize(s, width, height);
            return Results.Bytes(s.Video.LatestJpeg(w, h), "image/jpeg");
        }).WithSummary("The latest annotated frame");

        live.MapGet("/tracks", (ServerState s) =>
        {
            var loop = s.Video.Loop;
            var frame = loop?.Latest;
            var status = loop?.Source.Status;
            var stats = loop?.Statistics;
            return Results.Ok(new
            {
                sequence = frame?.Sequence ?? -1,
                frame_index = frame?.Frame.Index ?? -1,
                width = frame?.Frame.Image.Width ?? 0,
                height = frame?.Frame.Image.Height ?? 0,
                threshold = s.Video.Threshold,
                tracks = frame?.Tracks.Select(t => new
                {
                    id = t.Id, box = ApiJson.Box(t.Box), name = t.Name, similarity = ApiJson.Round(t.Similarity),
                    best_name = t.BestName, best_similarity = ApiJson.Round(t.BestSimilarity), samples = t.Samples,
                }).ToList() ?? [],
                source = status is null
                    ? new { state = "stopped", source = "", error = s.Video.StartError, reconnects = 0 }
                    : new { state = status.State.ToString().ToLowerInvariant(), source = status.Source, error = status.LastError, reconnects = status.Reconnects },
                stats,
            });
        }).WithSummary("Faces tracked in the latest frame, in frame pixels, with names and statistics");

        live.MapGet("/tracks/{id:int}/crop.jpg", (int id, ServerState s) =>
        {
            var jpeg = s.Video.WithLatestPixels(frame =>
            {
                var track = frame.Tracks.FirstOrDefault(t => t.Id == id) ?? throw FaceKitException.NotFound($"face #{id} is no longer in view");
                return JpegEncoder.Crop(frame.Frame.Image, track.Box);
            });
            return Results.Bytes(jpeg, "image/jpeg");
        }).WithSummary("The face of a track, cut from the latest frame");

        live.MapPost("/tracks/{id:int}/register", async (int id, HttpRequest request, ServerState s, CancellationToken cancel) =>
        {
            RenameRequest? body;
            try { body = await request.ReadFromJsonAsync<RenameRequest>(cancel); }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                throw FaceKitException.BadInput("expected a JSON body {\"name\": \"…\"}");
            }
            if (string.IsNullOrWhiteSpace(body?.Name)) throw FaceKitException.BadInput("'name' is required");
            var loop = s.Video.Loop ?? throw new FaceKitException(ErrorCode.StorageUnavailable, "no stream is running");
            var samples = loop.Processor.Samples(id);
            if (samples.Count == 0) throw FaceKitException.NotFound($"face #{id} is no longer in view");
            byte[]? crop = s.Video.WithLatestPixels(frame =>
            {
                if (frame.Tracks.FirstOrDefault(t => t.Id == id) is not { } track) return null;
                s.Liveness.RequireLiveForEnrol(frame.Frame.Image, track.Box, $"face #{id}");
                return JpegEncoder.Crop(frame.Frame.Image, track.Box);
            });
            if (crop is null && s.Liveness.Requirement.OnEnrol) throw FaceKitException.NotFound($"face #{id} is no longer in view");
            var images = samples.Select((_, i) => i == samples.Count - 1 ? crop : null).ToList();
            var subject = s.Gallery.Enroll(body.Name, samples, images);
            s.Video.GalleryChanged();
            return Results.Ok(new { subject = ApiJson.Subject(subject), templates_added = samples.Count });
        }).WithSummary("Register the face of a track under a name (its recent embeddings become templates)");
    }

    private static (int Width, int Height) ViewSize(ServerState s, int? width, int? height)
    {
        if (width is null && height is null) return (s.Video.Settings.ViewWidth, s.Video.Settings.ViewHeight);
        if (width is not (>= 16 and <= 3840) || height is not (>= 16 and <= 2160))
            throw FaceKitException.BadInput("width and height must both be given, 16–3840 × 16–2160");
        return (width.Value, height.Value);
    }
}
