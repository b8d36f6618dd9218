using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FaceKit.Server.Tests;

[Collection("server")]
public class SettingsTests(ServerFixture fx)
{
    private HttpClient Http => fx.Http;

    [ServerFact]
    public async Task Threshold_ChangesLive_AndOutOfRangeIsRefused()
    {
        var before = (await Http.GetFromJsonAsync<JsonElement>("/api/v1/settings/face")).GetProperty("threshold").GetSingle();
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsJsonAsync("/api/v1/settings/face", new { threshold = 0.5 })).StatusCode);
        Assert.Equal(0.5f, (await Http.GetFromJsonAsync<JsonElement>("/api/v1/live/tracks")).GetProperty("threshold").GetSingle());
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PutAsJsonAsync("/api/v1/settings/face", new { threshold = 7 })).StatusCode);
        await Http.PutAsJsonAsync("/api/v1/settings/face", new { threshold = before });
    }

    [ServerFact]
    public async Task StreamSettings_AreSaved_AndTheRtspPasswordIsNeverSentBack()
    {
        var original = (await Http.GetFromJsonAsync<JsonElement>("/api/v1/settings/stream")).GetProperty("settings");
        var rtsp = new
        {
            source_type = "rtsp", rtsp = new { host = "127.0.0.1", port = 9, path = "live", user = "admin", password = "s3cret!" },
            fps = 5, view_width = 960, view_height = 540, dnn_resize = true, dnn_size = 480, loop = true,
        };
        var saved = await Http.PutAsJsonAsync("/api/v1/settings/stream", rtsp);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var text = await saved.Content.ReadAsStringAsync();
        Assert.DoesNotContain("s3cret", text);
        Assert.Contains("\"has_password\":true", text);
        Assert.DoesNotContain("s3cret", await Http.GetStringAsync("/api/v1/settings/stream"));
        Assert.DoesNotContain("s3cret", await Http.GetStringAsync("/api/v1/live/tracks"));
        Assert.Contains("s3cret!", File.ReadAllText(fx.ConfigPath));

        // Sent back without a password (as the page does): the stored one stays.
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsJsonAsync("/api/v1/settings/stream", rtsp with { rtsp = rtsp.rtsp with { password = "" } })).StatusCode);
        Assert.Contains("s3cret!", File.ReadAllText(fx.ConfigPath));

        var badView = await Http.PutAsJsonAsync("/api/v1/settings/stream", rtsp with { view_width = 1000 });
        Assert.Equal(HttpStatusCode.BadRequest, badView.StatusCode);
        Assert.Contains("1280x720", await badView.Content.ReadAsStringAsync());

        var restored = await Http.PutAsync("/api/v1/settings/stream", new StringContent(original.GetRawText(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        await fx.WaitForTracks(t => t.GetProperty("source").GetProperty("state").GetString() == "streaming", "the video again");
    }
}
