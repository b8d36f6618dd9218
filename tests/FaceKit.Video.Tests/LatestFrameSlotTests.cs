using FaceKit.Core.Imaging;
using FaceKit.Video.Sources;

namespace FaceKit.Video.Tests;

public class LatestFrameSlotTests
{
    private static VideoFrame Frame(long i) => new(ImageBuffer.Create(4, 4, PixelFormat.Bgr24), i, 0);

    [Fact]
    public void SlowConsumer_GetsTheNewestFrame_AndOlderOnesCountAsDropped()
    {
        var slot = new LatestFrameSlot();
        for (int i = 0; i < 10; i++) slot.Publish(Frame(i));

        Assert.Equal(9, slot.Take(TimeSpan.FromSeconds(1))!.Index);
        Assert.Equal(9, slot.Dropped);
        Assert.Null(slot.Take(TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public void ConsumerKeepingUp_DropsNothing()
    {
        var slot = new LatestFrameSlot();
        for (int i = 0; i < 5; i++)
        {
            slot.Publish(Frame(i));
            Assert.Equal(i, slot.Take(TimeSpan.FromSeconds(1))!.Index);
        }
        Assert.Equal(0, slot.Dropped);
    }
}
