using System.Net.Http.Headers;
using FaceKit.Testing;

namespace FaceKit.Server.Tests;

internal static class Upload
{
    public static string Unit(string person, int n) => SharedData.Path("unit", "images", person, $"{person}_{n:0000}.jpg");

    public static string[] People() =>
        Directory.GetDirectories(SharedData.Path("unit", "images")).Select(Path.GetFileName).Order().ToArray()!;

    public static MultipartFormDataContent Form(params (string Field, string PathOrText)[] parts)
    {
        var form = new MultipartFormDataContent();
        foreach (var (field, value) in parts)
        {
            if (File.Exists(value))
            {
                var file = new ByteArrayContent(File.ReadAllBytes(value));
                file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
                form.Add(file, field, Path.GetFileName(value));
            }
            else form.Add(new StringContent(value), field);
        }
        return form;
    }

    public static MultipartFormDataContent Bytes(string field, byte[] bytes, string name)
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(bytes), field, name);
        return form;
    }
}
