using FaceKit.Testing;
using FaceKit.Video.Sources;

namespace FaceKit.Video.Tests;

public class FrameSourceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    internal static string BbtVideo => SharedData.Path("video", "bbt-640x480.mp4");

    internal static void WaitUntilFinished(FrameSource source)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!source.Finished && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.True(source.Finished, $"source still {source.Status.State} after {Patience.TotalSeconds} s");
    }

    [SharedDataFact]
    public void Mp4_DecodesEveryFrameAtItsSize_AndAnIdleConsumerOnlyHoldsTheNewest()
    {
        using var source = new FrameSource(SourceSpec.Parse(BbtVideo), new FrameSourceOptions { Realtime = false, Loop = false });
        source.Start();
        WaitUntilFinished(source);

        var status = source.Status;
        Assert.Equal(SourceState.Ended, status.State);
        Assert.Null(status.LastError);
        Assert.Equal((640, 480, 25.0), (status.Width, status.Height, status.NativeFps));
        Assert.InRange(status.FramesRead, 249, 251);

        var last = source.Read(TimeSpan.FromSeconds(1));
        Assert.NotNull(last);
        Assert.Equal(status.FramesRead - 1, last.Index);
        Assert.Equal(status.FramesRead - 1, status.FramesDropped);
        Assert.Equal((640, 480), (last.Image.Width, last.Image.Height));
        Assert.Contains(last.Image.Array, b => b > 40);
    }

    [SharedDataFact]
    public void Mp4_ScaledAndResampled_DeliversTheAskedSizeAndRate()
    {
        var options = new FrameSourceOptions { Realtime = false, Loop = false, Width = 320, Height = 240, Fps = 5 };
        using var source = new FrameSource(SourceSpec.Parse(BbtVideo), options);
        source.Start();
        WaitUntilFinished(source);
        Assert.Equal((320, 240), (source.Status.Width, source.Status.Height));
        Assert.InRange(source.Status.FramesRead, 49, 51);
        Assert.Equal(320 * 240 * 3, source.Read(TimeSpan.FromSeconds(1))!.Image.Array.Length);
    }

    [SharedDataFact]
    public void LoopedMp4_KeepsDeliveringPastItsEnd()
    {
        using var source = new FrameSource(SourceSpec.Parse(BbtVideo), new FrameSourceOptions { Realtime = false, Loop = true, Width = 160, Height = 120 });
        source.Start();
        var deadline = DateTime.UtcNow + Patience;
        while (source.Status.FramesRead < 400 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.True(source.Status.FramesRead >= 400, $"only {source.Status.FramesRead} frames; the loop did not restart");
        Assert.Equal(SourceState.Streaming, source.Status.State);
    }

    [Fact]
    public void NotAVideo_FailsWithFfmpegsReason_AndIsNotRetried()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("notes.mp4"), "this is not a video");
        using var source = new FrameSource(SourceSpec.Parse(dir.File("notes.mp4")), new FrameSourceOptions { Realtime = false });
        source.Start();
        WaitUntilFinished(source);
        Assert.Equal(SourceState.Failed, source.Status.State);
        Assert.Contains("notes.mp4", source.Status.LastError);
    }

    [Fact]
    public void UnreachableRtsp_IsReportedAndRetried()
    {
        var options = new FrameSourceOptions { NetworkTimeout = TimeSpan.FromSeconds(1), ReconnectDelay = TimeSpan.FromMilliseconds(50) };
        // Port 9 (discard) on loopback refuses the connection at once.
        using var source = new FrameSource(SourceSpec.Parse("rtsp://user:secret@127.0.0.1:9/none"), options);
        source.Start();
        var deadline = DateTime.UtcNow + Patience;
        while (source.Status.Reconnects < 2 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        var status = source.Status;
        Assert.True(status.Reconnects >= 2, $"state {status.State}, {status.Reconnects} reconnects");
        Assert.Equal(SourceState.Reconnecting, status.State);
        Assert.NotNull(status.LastError);
        Assert.DoesNotContain("secret", status.Source + status.LastError);
    }

    [SharedDataFact]
    public void FolderSlideshow_LetterboxesEachImage_ForItsSlideDuration()
    {
        using var dir = new TempDirectory();
        File.Copy(SharedData.Path("group-photos", "bbt1.jpg"), dir.File("a.jpg"));
        File.Copy(SharedData.Path("group-photos", "bbt2.jpg"), dir.File("b.jpg"));
        var options = new FrameSourceOptions { Realtime = false, Loop = false, Width = 320, Height = 320, Fps = 10, SlideDuration = TimeSpan.FromSeconds(0.3) };
        using var source = new FrameSource(SourceSpec.Parse(dir.Path), options);
        source.Start();
        WaitUntilFinished(source);
        Assert.Equal(SourceState.Ended, source.Status.State);
        Assert.Equal(6, source.Status.FramesRead);
        var frame = source.Read(TimeSpan.FromSeconds(1))!;
        Assert.Equal((320, 320), (frame.Image.Width, frame.Image.Height));
    }
}
