using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace FaceKit.Server.Tests;

[Collection("server")]
public class LiveViewTests(ServerFixture fx)
{
    private HttpClient Http => fx.Http;

    [ServerFact]
    public async Task Tracks_ShowTheVideosFaces_InFrameCoordinates()
    {
        var live = await fx.WaitForTracks(t => t.GetProperty("tracks").GetArrayLength() >= 2, "two faces");
        Assert.Equal((640, 480), (live.GetProperty("width").GetInt32(), live.GetProperty("height").GetInt32()));
        Assert.Equal("streaming", live.GetProperty("source").GetProperty("state").GetString());
        foreach (var t in live.GetProperty("tracks").EnumerateArray())
        {
            var box = t.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.True(box[0] >= 0 && box[2] <= 640 && box[0] < box[2] && box[1] < box[3], string.Join(",", box));
        }
        Assert.True(live.GetProperty("stats").GetProperty("processed_fps").GetDouble() >= 0);
    }

    [ServerFact]
    public async Task Mjpeg_DeliversJpegParts_AtTheAskedViewSize()
    {
        using var response = await Http.GetAsync("/api/v1/live/stream.mjpg?width=320&height=240", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("multipart/x-mixed-replace", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        int read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // Two part headers prove it streams more than one frame.
        while (Count(buffer, read, "Content-Type: image/jpeg") < 2 && read < buffer.Length)
            read += await body.ReadAsync(buffer.AsMemory(read), timeout.Token);
        Assert.True(Count(buffer, read, "Content-Type: image/jpeg") >= 2);
        int start = IndexOf(buffer, read, "\r\n\r\n") + 4;
        Assert.Equal((0xFF, 0xD8), (buffer[start], buffer[start + 1]));

        var frame = await Http.GetByteArrayAsync("/api/v1/live/frame.jpg?width=320&height=240");
        using var decoded = OpenCvSharp.Cv2.ImDecode(frame, OpenCvSharp.ImreadModes.Color);
        Assert.Equal((320, 240), (decoded.Width, decoded.Height));
    }

    [ServerFact]
    public async Task RegisteringATrack_NamesItOnLaterFrames()
    {
        // The slideshow changes every 2 s and a scene cut ends every track, so a track seen a moment ago may
        // be gone when it is registered (404): take a fresh track and try again.
        HttpResponseMessage? registered = null;
        for (int attempt = 0; attempt < 5 && registered?.StatusCode != HttpStatusCode.OK; attempt++)
        {
            var live = await fx.WaitForTracks(t => t.GetProperty("tracks").EnumerateArray().Any(x => x.GetProperty("name").ValueKind == JsonValueKind.Null), "an unknown face");
            var track = live.GetProperty("tracks").EnumerateArray().First(x => x.GetProperty("name").ValueKind == JsonValueKind.Null);
            int id = track.GetProperty("id").GetInt32();

            var crop = await Http.GetAsync($"/api/v1/live/tracks/{id}/crop.jpg");
            if (crop.StatusCode == HttpStatusCode.NotFound) continue;
            Assert.Equal("image/jpeg", crop.Content.Headers.ContentType?.MediaType);

            registered = await Http.PostAsJsonAsync($"/api/v1/live/tracks/{id}/register", new { name = "Live Person" });
            if (registered.StatusCode != HttpStatusCode.NotFound) Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, registered?.StatusCode);
        Assert.True((await registered!.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("templates_added").GetInt32() >= 1);

        await fx.WaitForTracks(t => t.GetProperty("tracks").EnumerateArray().Any(x => x.GetProperty("name").GetString() == "Live Person"), "the registered name");
        await Http.DeleteAsync("/api/v1/subjects/Live%20Person");
    }

    [ServerFact]
    public async Task UnknownTrack_Is404()
    {
        var r = await Http.PostAsJsonAsync("/api/v1/live/tracks/999999/register", new { name = "Nobody" });
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Contains("#999999", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    private static int Count(byte[] b, int n, string s)
    {
        var text = Encoding.ASCII.GetString(b, 0, n);
        int count = 0;
        for (int i = text.IndexOf(s, StringComparison.Ordinal); i >= 0; i = text.IndexOf(s, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }

    private static int IndexOf(byte[] b, int n, string s) => Encoding.ASCII.GetString(b, 0, n).IndexOf(s, StringComparison.Ordinal);
}
