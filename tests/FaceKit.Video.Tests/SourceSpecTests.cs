using FaceKit.Core.Errors;
using FaceKit.Testing;
using FaceKit.Video.Sources;

namespace FaceKit.Video.Tests;

public class SourceSpecTests
{
    [Fact]
    public void Parse_RecognisesRtspAndCameraAndFolder()
    {
        Assert.Equal(new SourceSpec(SourceKind.Rtsp, "rtsp://u:p@10.0.0.2:554/live"), SourceSpec.Parse(" rtsp://u:p@10.0.0.2:554/live "));
        Assert.Equal(new SourceSpec(SourceKind.Camera, "/dev/video2"), SourceSpec.Parse("camera:2"));
        using var dir = new TempDirectory();
        Assert.Equal(SourceKind.Folder, SourceSpec.Parse(dir.Path).Kind);
        File.WriteAllBytes(dir.File("clip.mp4"), [0]);
        Assert.Equal(SourceKind.File, SourceSpec.Parse(dir.File("clip.mp4")).Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("camera:x")]
    [InlineData("/no/such/video.mp4")]
    public void Parse_BadText_IsBadInputWithTheReason(string text)
    {
        var e = Assert.Throws<FaceKitException>(() => SourceSpec.Parse(text));
        Assert.Equal(ErrorCode.BadInput, e.Code);
    }

    [Fact]
    public void RtspUrl_EscapesCredentialsAndRedactsThePassword()
    {
        var url = RtspUrl.Build("cam.local", 8554, "/stream1", "admin", "p@ss:word");
        Assert.Equal("rtsp://admin:p%40ss%3Aword@cam.local:8554/stream1", url);
        Assert.Equal("rtsp://admin:***@cam.local:8554/stream1", RtspUrl.Redact(url));
        Assert.DoesNotContain("word", new SourceSpec(SourceKind.Rtsp, url).Display);
        Assert.Equal("rtsp://cam.local:8554/x", RtspUrl.Redact("rtsp://cam.local:8554/x"));
    }
}
