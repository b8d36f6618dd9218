using FaceKit.Testing;
using FaceKit.Video.Sources;

namespace FaceKit.Video.Tests.Rtsp;

public class RtspSourceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static void WaitFor(FrameSource source, Func<SourceStatus, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition(source.Status) && DateTime.UtcNow < deadline) Thread.Sleep(20);
        var s = source.Status;
        Assert.True(condition(s), $"{what}: not seen within {Patience.TotalSeconds} s; state {s.State}, {s.FramesRead} frames, {s.Reconnects} reconnects, error {s.LastError}");
    }

    [RtspFact]
    public void RealRtspServer_DeliversFrames_ReportsItsLoss_AndIsReconnectedWhenItReturns()
    {
        using var server = RtspTestServer.Start(FrameSourceTests.BbtVideo);
        var options = new FrameSourceOptions
        {
            NetworkTimeout = TimeSpan.FromSeconds(2),
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(400),
        };
        using var source = new FrameSource(SourceSpec.Parse(server.Url), options);
        source.Start();

        // The server plays the 10 s clip in real time (25 fps): wait for a second's worth of frames.
        WaitFor(source, s => s.State == SourceState.Streaming && s.FramesRead >= 25, "frames over RTSP");
        var frame = source.Read(TimeSpan.FromSeconds(2));
        Assert.NotNull(frame);
        Assert.Equal((640, 480), (frame.Image.Width, frame.Image.Height));
        Assert.Contains(frame.Image.Array, b => b > 40);
        Assert.Equal(0, source.Status.Reconnects);

        server.Kill();
        WaitFor(source, s => s.State == SourceState.Reconnecting && s.Reconnects >= 1 && s.LastError is not null, "the loss reported");
        long before = source.Status.FramesRead;
        Thread.Sleep(300);
        Assert.Equal(SourceState.Reconnecting, source.Status.State);

        server.Restart();
        WaitFor(source, s => s.State == SourceState.Streaming && s.FramesRead >= before + 25, "frames again after the server came back");
        Assert.Null(source.Status.LastError);
        Assert.Equal(server.Url, source.Status.Source);
    }
}
