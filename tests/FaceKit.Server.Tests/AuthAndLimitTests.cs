using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FaceKit.Testing;

namespace FaceKit.Server.Tests;

/// <summary>A second server that treats loopback like a remote caller, with one key and a small upload limit.</summary>
[Collection("server")]
public class AuthAndLimitTests
{
    private static async Task<(FaceKitServer, HttpClient, TempDirectory)> Start()
    {
        var dir = new TempDirectory();
        File.WriteAllText(dir.File("facekit.json"), """{ "api_keys": ["k-123"], "max_upload_bytes": 200000 }""");
        var server = await FaceKitServer.StartAsync(ServerFixture.Options(dir, source: null, requireKey: true));
        return (server, new HttpClient { BaseAddress = new Uri(server.Urls[0]) }, dir);
    }

    [ServerFact]
    public async Task WithoutAValidKey_Is401_WithTheKeyInHeaderOrCookie_ItAnswers()
    {
        var (server, http, dir) = await Start();
        await using (server)
        using (dir)
        using (http)
        {
            var none = await http.GetAsync("/api/v1/health");
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Contains("X-Api-Key", (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

            var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/v1/health") { Headers = { { "X-Api-Key", "k-124" } } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);

            var right = new HttpRequestMessage(HttpMethod.Get, "/api/v1/health") { Headers = { { "X-Api-Key", "k-123" } } };
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(right)).StatusCode);

            var cookie = new HttpRequestMessage(HttpMethod.Get, "/api/v1/subjects") { Headers = { { "Cookie", "facekit_api_key=k-123" } } };
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(cookie)).StatusCode);

            // The page itself loads without a key; it asks for one when the API says 401.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);

            // No stream source was given and the config names none: the server runs and says why there is no video.
            var tracks = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/live/tracks") { Headers = { { "X-Api-Key", "k-123" } } });
            var source = (await tracks.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("source");
            Assert.Equal("stopped", source.GetProperty("state").GetString());
            Assert.Contains("no video file", source.GetProperty("error").GetString());
        }
    }

    [ServerFact]
    public async Task UploadAboveTheLimit_Is413()
    {
        var (server, http, dir) = await Start();
        await using (server)
        using (dir)
        using (http)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/identify")
            {
                Headers = { { "X-Api-Key", "k-123" } },
                Content = Upload.Bytes("image", new byte[300_000], "big.jpg"),
            };
            var r = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
            Assert.Contains("limit", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
    }
}
