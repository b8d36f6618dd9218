using FaceKit.Core.Imaging;
using FaceKit.Testing;
using FaceKit.Video.Processing;
using FaceKit.Video.Sources;

namespace FaceKit.Video.Tests;

public class FramePoolingTests
{
    [SharedDataFact]
    public void AFileReadToTheEnd_ReusesAHandfulOfBuffers_WhenTheConsumerReleasesFrames()
    {
        var options = new FrameSourceOptions { Realtime = false, Loop = false, DropFrames = false };
        using var source = new FrameSource(SourceSpec.Parse(FrameSourceTests.BbtVideo), options);
        source.Start();
        long seen = 0;
        while (!source.Finished || seen < source.Status.FramesRead)
        {
            var frame = source.Read(TimeSpan.FromMilliseconds(200));
            if (frame is null) continue;
            Assert.Equal(640 * 480 * 3, frame.Image.Array.Length);
            seen++;
            frame.Release();
        }
        Assert.InRange(seen, 249, 251);
        Assert.Equal(0, source.Status.FramesDropped);
        Assert.InRange(source.BuffersAllocated, 1, 4);
    }

    [Fact]
    public void ADroppedFrame_GoesBackToThePool_AndARetainedOneOnlyAfterItsLastRelease()
    {
        var pool = new FramePool(4 * 4 * 3);
        VideoFrame Make(long i) => new(new ImageBuffer(4, 4, PixelFormat.Bgr24, pool.Rent()), i, 0) { Pool = pool };
        var slot = new LatestFrameSlot();
        slot.Publish(Make(0));
        slot.Publish(Make(1)); // replaces 0, which nobody took: recycled
        var taken = slot.Take(TimeSpan.FromSeconds(1))!;
        Assert.Equal(1, taken.Index);
        Assert.Equal(2, pool.Allocated);
        Make(2).Release(); // the buffer of frame 0 is reused
        Assert.Equal(2, pool.Allocated);

        Assert.True(taken.TryRetain());
        taken.Release();
        Assert.True(taken.TryRetain()); // the owner's reference still holds it
        taken.Release();
        taken.Release(); // the owner's: now recycled
        Assert.False(taken.TryRetain());
    }

    [Fact]
    public void TheLiveView_IsDrawnAtTheViewSize_AndNotFromARecycledFrame()
    {
        var pool = new FramePool(64 * 48 * 3);
        var image = new ImageBuffer(64, 48, PixelFormat.Bgr24, pool.Rent());
        var frame = new VideoFrame(image, 0, 0) { Pool = pool };
        var track = new TrackView(1, new Core.Geometry.BoxF(8, 8, 40, 40), 0.9f, "Sheldon", 0.7f, "Sheldon", 0.7f, 3, 0);
        var result = new ProcessedFrame(0, frame, image, [track], 1, true, 0, 0, 0);

        var jpeg = FrameViewEncoder.Encode(result, 32, 24);
        Assert.NotNull(jpeg);
        using var decoded = OpenCvSharp.Cv2.ImDecode(jpeg, OpenCvSharp.ImreadModes.Color);
        Assert.Equal((32, 24), (decoded.Width, decoded.Height));
        Assert.True(decoded.Mean().Val1 > 5, "the box was not drawn"); // the frame itself is black
        Assert.All(image.Array, b => Assert.Equal(0, b)); // drawn on the view, not on the frame

        frame.Release();
        Assert.Null(FrameViewEncoder.Encode(result, 32, 24));
    }
}
