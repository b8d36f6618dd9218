using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Inference;
using Microsoft.AspNetCore.Http;

namespace FaceKit.Server.Api;

/// <summary>Reads multipart uploads into images, with one clear message for each way a client gets it wrong.</summary>
internal static class Uploads
{
    public static async Task<IFormCollection> Form(HttpRequest request, CancellationToken cancel)
    {
        if (!request.HasFormContentType) throw FaceKitException.BadInput("expected a multipart/form-data upload");
        return await request.ReadFormAsync(cancel);
    }

    public static IReadOnlyList<IFormFile> Files(IFormCollection form, string field)
    {
        var files = form.Files.GetFiles(field);
        if (files.Count == 0) throw FaceKitException.BadInput($"no '{field}' file in the upload");
        return files;
    }

    public static async Task<(ImageBuffer Image, byte[] Bytes, string Name)> Image(FacePipeline pipeline, IFormFile file, CancellationToken cancel)
    {
        var name = string.IsNullOrWhiteSpace(file.FileName) ? file.Name : Path.GetFileName(file.FileName);
        using var buffer = new MemoryStream((int)Math.Min(file.Length, int.MaxValue));
        await file.CopyToAsync(buffer, cancel);
        var bytes = buffer.ToArray();
        return (pipeline.Loader.Decode(bytes, name), bytes, name);
    }

    public static string? Text(IFormCollection form, string field) => form.TryGetValue(field, out var v) ? v.ToString() : null;

    public static float? Number(IFormCollection form, string field)
    {
        var text = Text(form, field);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return float.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var v) && float.IsFinite(v)
            ? v : throw FaceKitException.BadInput($"'{field}' is not a number: {text}");
    }
}
