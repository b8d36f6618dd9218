using System.Net.Http.Json;
using System.Text.Json;
using FaceKit.Testing;
using FaceKit.Video.Sources;
using FaceKit.Video.Tests.Rtsp;

namespace FaceKit.Server.Tests;

/// <summary>The app on a real RTSP server (GStreamer on loopback): streams, shows the loss in its health and live status, reconnects.</summary>
[Collection("server")]
public class RtspStreamTests
{
    [RtspServerFact]
    public async Task IpCamera_LostAndBack_IsReportedByHealthAndLiveStatus_AndReconnects()
    {
        using var camera = RtspTestServer.Start(SharedData.Path("video", "bbt-640x480.mp4"));
        using var dir = new TempDirectory();
        var options = ServerFixture.Options(dir, camera.Url) with
        {
            SourceDefaults = new FrameSourceOptions
            {
                NetworkTimeout = TimeSpan.FromSeconds(2), ReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromMilliseconds(400),
            },
        };
        await using var server = await FaceKitServer.StartAsync(options);
        using var http = new HttpClient { BaseAddress = new Uri(server.Urls[0]) };

        async Task<JsonElement> WaitForStream(Func<JsonElement, bool> accept, string what)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            JsonElement stream = default;
            while (DateTime.UtcNow < deadline)
            {
                stream = (await http.GetFromJsonAsync<JsonElement>("/api/v1/health")).GetProperty("stream");
                if (accept(stream)) return stream;
                await Task.Delay(50);
            }
            throw new Xunit.Sdk.XunitException($"{what}: not seen within 30 s; last health stream: {stream}");
        }

        var streaming = await WaitForStream(s => s.GetProperty("state").GetString() == "streaming" && s.GetProperty("frames_read").GetInt64() >= 10, "streaming");
        Assert.Equal(camera.Url, streaming.GetProperty("source").GetString());

        camera.Kill();
        var lost = await WaitForStream(s => s.GetProperty("state").GetString() == "reconnecting" && s.GetProperty("reconnects").GetInt32() >= 1, "the loss");
        Assert.False(string.IsNullOrEmpty(lost.GetProperty("error").GetString()));
        var live = await http.GetFromJsonAsync<JsonElement>("/api/v1/live/tracks");
        Assert.Equal("reconnecting", live.GetProperty("source").GetProperty("state").GetString());

        long before = lost.GetProperty("frames_read").GetInt64();
        camera.Restart();
        var back = await WaitForStream(s => s.GetProperty("state").GetString() == "streaming" && s.GetProperty("frames_read").GetInt64() >= before + 10, "streaming again");
        Assert.Equal(JsonValueKind.Null, back.GetProperty("error").ValueKind);
    }
}

/// <summary>Needs the real models, ../shared/data and GStreamer's RTSP server; only the server may be missing outside CI.</summary>
public sealed class RtspServerFactAttribute : FactAttribute
{
    public RtspServerFactAttribute()
    {
        Skip = TestModels.SkipReason ?? (SharedData.Available ? null : SharedData.MissingReason);
        if (Skip is null && Environment.GetEnvironmentVariable("CI") != "true") Skip = RtspTestServer.MissingReason;
    }
}
