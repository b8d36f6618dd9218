using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FaceKit.Server.Tests;

[Collection("server")]
public class RestApiTests(ServerFixture fx)
{
    private HttpClient Http => fx.Http;

    private static async Task<JsonElement> Json(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    [ServerFact]
    public async Task Health_SaysOk_WithTheEmbedderAndStreamState()
    {
        var health = await Http.GetFromJsonAsync<JsonElement>("/api/v1/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(health.GetProperty("embedder").GetString()));
        Assert.True(health.GetProperty("gallery").GetProperty("templates").GetInt32() >= 0);
    }

    [ServerFact]
    public async Task Verify_SamePersonIsSame_DifferentPeopleAreNot()
    {
        var people = Upload.People();
        var same = await Json(await Http.PostAsync("/api/v1/verify", Upload.Form(("image_a", Upload.Unit(people[0], 1)), ("image_b", Upload.Unit(people[0], 2)))));
        var different = await Json(await Http.PostAsync("/api/v1/verify", Upload.Form(("image_a", Upload.Unit(people[0], 1)), ("image_b", Upload.Unit(people[1], 1)))));

        Assert.True(same.GetProperty("same").GetBoolean(), same.ToString());
        Assert.False(different.GetProperty("same").GetBoolean(), different.ToString());
        Assert.True(same.GetProperty("similarity").GetSingle() > different.GetProperty("similarity").GetSingle());
    }

    [ServerFact]
    public async Task Subjects_EnrolIdentifyRenameDelete_RoundTrip()
    {
        var person = Upload.People()[2];
        var name = "Api " + person;
        var created = await Http.PostAsync("/api/v1/subjects", Upload.Form(("name", name), ("image", Upload.Unit(person, 1)), ("image", Upload.Unit(person, 2))));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(2, (await Json(created)).GetProperty("templates_added").GetInt32());

        var list = await Http.GetFromJsonAsync<JsonElement>("/api/v1/subjects");
        Assert.Contains(list.GetProperty("subjects").EnumerateArray(), s => s.GetProperty("name").GetString() == name);
        var one = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/subjects/{Uri.EscapeDataString(name)}");
        Assert.Equal(2, one.GetProperty("templates").GetArrayLength());
        var photo = await Http.GetAsync($"/api/v1/subjects/{Uri.EscapeDataString(name)}/photo");
        Assert.Equal("image/jpeg", photo.Content.Headers.ContentType?.MediaType);

        var identified = await Json(await Http.PostAsync("/api/v1/identify", Upload.Form(("image", Upload.Unit(person, 3)))));
        Assert.Equal(name, identified.GetProperty("faces")[0].GetProperty("identity").GetString());

        var renamed = await Http.PatchAsJsonAsync($"/api/v1/subjects/{Uri.EscapeDataString(name)}", new { name = name + " 2" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/subjects/{Uri.EscapeDataString(name)}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"/api/v1/subjects/{Uri.EscapeDataString(name + " 2")}")).StatusCode);
        var gone = await Http.DeleteAsync($"/api/v1/subjects/{Uri.EscapeDataString(name + " 2")}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
    }

    [ServerFact]
    public async Task Rename_OntoAnExistingName_IsAConflict()
    {
        var p = Upload.People();
        await Http.PostAsync("/api/v1/subjects", Upload.Form(("name", "Conflict A"), ("image", Upload.Unit(p[3], 1))));
        await Http.PostAsync("/api/v1/subjects", Upload.Form(("name", "Conflict B"), ("image", Upload.Unit(p[4], 1))));
        var r = await Http.PatchAsJsonAsync("/api/v1/subjects/Conflict%20A", new { name = "Conflict B" });
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        await Http.DeleteAsync("/api/v1/subjects/Conflict%20A");
        await Http.DeleteAsync("/api/v1/subjects/Conflict%20B");
    }

    [ServerFact]
    public async Task NonImageUpload_Is400_WithAMessageNamingTheFile()
    {
        var r = await Http.PostAsync("/api/v1/identify", Upload.Bytes("image", "hello, not a photo"u8.ToArray(), "notes.txt"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = await Json(r);
        Assert.Contains("notes.txt", problem.GetProperty("detail").GetString());
        Assert.Contains("not an image", problem.GetProperty("detail").GetString());
    }

    [ServerFact]
    public async Task MissingFieldOrNotMultipart_Is400()
    {
        var missing = await Http.PostAsync("/api/v1/verify", Upload.Form(("image_a", Upload.Unit(Upload.People()[0], 1))));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("image_b", (await Json(missing)).GetProperty("detail").GetString());

        var json = await Http.PostAsJsonAsync("/api/v1/identify", new { image = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Contains("multipart", (await Json(json)).GetProperty("detail").GetString());
    }

    [ServerFact]
    public async Task OpenApi_DescribesTheEndpoints_AndThePageIsServed()
    {
        var doc = await Http.GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/v1/verify", "/api/v1/identify", "/api/v1/subjects", "/api/v1/subjects/{name}", "/api/v1/health" })
            Assert.Contains($"\"{path}\"", doc);
        var page = await Http.GetStringAsync("/");
        Assert.Contains("<title>FaceKit live</title>", page);
        Assert.Contains("stream.mjpg", await Http.GetStringAsync("/app.js"));
    }
}
