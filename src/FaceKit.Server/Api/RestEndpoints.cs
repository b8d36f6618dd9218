using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using FaceKit.Server.Hosting;
using FaceKit.Server.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FaceKit.Server.Api;

/// <summary>/api/v1: verify, identify, subjects, health.</summary>
internal static class RestEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("faces");

        api.MapGet("/health", (ServerState s) =>
        {
            var loop = s.Video.Loop;
            return Results.Ok(new
            {
                status = "ok",
                embedder = s.Pipeline.EmbedderId,
                gallery = new { subjects = s.Gallery.ListSubjects().Count, templates = s.Gallery.TemplateCount },
                threshold = s.Video.Threshold,
                stream = loop?.Source.Status is { } st
                    ? new { state = st.State.ToString().ToLowerInvariant(), source = st.Source, error = st.LastError, reconnects = st.Reconnects, frames_read = st.FramesRead }
                    : new { state = "stopped", source = "", error = s.Video.StartError, reconnects = 0, frames_read = 0L },
            });
        }).WithSummary("Liveness, gallery size and stream state");

        api.MapPost("/verify", async (HttpRequest request, ServerState s, CancellationToken cancel) =>
        {
            var form = await Uploads.Form(request, cancel);
            var a = await Uploads.Image(s.Pipeline, Uploads.Files(form, "image_a")[0], cancel);
            var b = await Uploads.Image(s.Pipeline, Uploads.Files(form, "image_b")[0], cancel);
            float threshold = Uploads.Number(form, "threshold") ?? s.Video.Threshold;
            var ea = s.Pipeline.AnalyzeLargest(a.Image, a.Name).Embedding;
            var eb = s.Pipeline.AnalyzeLargest(b.Image, b.Name).Embedding;
            float similarity = ea.Similarity(eb);
            return Results.Ok(new { similarity = ApiJson.Round(similarity), same = similarity >= threshold, threshold });
        }).WithSummary("1:1 — are the largest faces of image_a and image_b the same person?");

        api.MapPost("/identify", async (HttpRequest request, ServerState s, CancellationToken cancel) =>
        {
            var form = await Uploads.Form(request, cancel);
            var image = await Uploads.Image(s.Pipeline, Uploads.Files(form, "image")[0], cancel);
            int top = (int)(Uploads.Number(form, "top") ?? 5);
            if (top < 1) throw FaceKitException.BadInput("'top' must be at least 1");
            float threshold = Uploads.Number(form, "threshold") ?? s.Video.Threshold;
            var faces = s.Pipeline.Analyze(image.Image);
            if (faces.Count == 0) throw FaceKitException.NoFace($"{image.Name}: no face found");
            var result = faces.Select(f =>
            {
                // With liveness required, a face that fails it is reported (with its score) but never searched.
                var liveness = s.Liveness.CheckForIdentify(image.Image, f.Face.Box);
                var matches = s.Gallery.TemplateCount == 0 || liveness is { IsLive: false } ? [] : s.Gallery.Identify(f.Embedding, top);
                bool hit = matches.Count > 0 && matches[0].Similarity >= threshold;
                return new IdentifiedFaceJson(ApiJson.Box(f.Face.Box), ApiJson.Round(f.Face.Score), hit ? matches[0].Name : null,
                    hit ? ApiJson.Round(matches[0].Similarity) : null, matches.Select(m => new MatchJson(m.Name, ApiJson.Round(m.Similarity))).ToList(),
                    liveness is null ? null : ApiJson.Round(liveness.Score), liveness?.IsLive);
            }).ToList();
            return Results.Ok(new { threshold, faces = result });
        }).WithSummary("1:N — every face of the image against the gallery");

        api.MapGet("/subjects", (ServerState s) => Results.Ok(new { subjects = s.Gallery.ListSubjects().Select(ApiJson.Subject) }))
            .WithSummary("Registered people");

        api.MapPost("/subjects", async (HttpRequest request, ServerState s, CancellationToken cancel) =>
        {
            var form = await Uploads.Form(request, cancel);
            var name = Uploads.Text(form, "name");
            if (string.IsNullOrWhiteSpace(name)) throw FaceKitException.BadInput("'name' is required");
            // Every image is decoded and embedded before the gallery is touched: one bad photo writes nothing.
            var templates = new List<Embedding>();
            var crops = new List<byte[]?>();
            foreach (var file in Uploads.Files(form, "image"))
            {
                var image = await Uploads.Image(s.Pipeline, file, cancel);
                var face = s.Pipeline.AnalyzeLargest(image.Image, image.Name);
                s.Liveness.RequireLiveForEnrol(image.Image, face.Face.Box, image.Name);
                templates.Add(face.Embedding);
                crops.Add(JpegEncoder.Crop(image.Image, face.Face.Box));
            }
            var subject = s.Gallery.Enroll(name, templates, crops);
            s.Video.GalleryChanged();
            return Results.Created($"/api/v1/subjects/{Uri.EscapeDataString(subject.Name)}",
                new { subject = ApiJson.Subject(subject), templates_added = templates.Count });
        }).WithSummary("Enrol: multipart 'name' and one or more 'image' files (largest face of each)");

        api.MapGet("/subjects/{name}", (string name, ServerState s) =>
        {
            var subject = Find(s, name);
            var templates = s.Gallery.ListTemplates(subject.Name)
                .Select(t => new { id = t.Id, model = t.ModelId, created_utc = t.CreatedUtc, has_image = t.HasImage });
            return Results.Ok(new { subject = ApiJson.Subject(subject), templates });
        }).WithSummary("One registered person and their templates");

        api.MapGet("/subjects/{name}/photo", (string name, ServerState s) =>
        {
            var subject = Find(s, name);
            var template = s.Gallery.ListTemplates(subject.Name).LastOrDefault(t => t.HasImage);
            var bytes = template.HasImage ? s.Gallery.GetTemplateImage(template.Id) : null;
            return bytes is null ? ErrorResponses.Problem(404, $"no photo stored for {subject.Name}") : Results.Bytes(bytes, "image/jpeg");
        }).WithSummary("The face crop stored with the person's latest template");

        api.MapMethods("/subjects/{name}", ["PATCH"], async (string name, HttpRequest request, ServerState s, CancellationToken cancel) =>
        {
            RenameRequest? body;
            try { body = await request.ReadFromJsonAsync<RenameRequest>(cancel); }
            catch (System.Text.Json.JsonException) { throw FaceKitException.BadInput("expected a JSON body {\"name\": \"new name\"}"); }
            catch (InvalidOperationException) { throw FaceKitException.BadInput("expected a JSON body {\"name\": \"new name\"}"); }
            if (string.IsNullOrWhiteSpace(body?.Name)) throw FaceKitException.BadInput("'name' (the new name) is required");
            s.Gallery.Rename(name, body.Name);
            s.Video.GalleryChanged();
            return Results.Ok(new { subject = ApiJson.Subject(Find(s, body.Name.Trim())) });
        }).WithSummary("Rename: JSON {\"name\": \"new name\"}");

        api.MapDelete("/subjects/{name}", (string name, ServerState s) =>
        {
            s.Gallery.DeleteSubject(name);
            s.Video.GalleryChanged();
            return Results.NoContent();
        }).WithSummary("Delete a person and all their templates");
    }

    private static FaceKit.Gallery.Subject Find(ServerState s, string name) =>
        s.Gallery.ListSubjects().FirstOrDefault(x => x.Name == name.Trim())
        ?? throw FaceKitException.NotFound($"no subject named '{name}'");
}
