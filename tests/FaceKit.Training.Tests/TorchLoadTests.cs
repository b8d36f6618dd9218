using TorchSharp;
using static TorchSharp.torch;

namespace FaceKit.Training.Tests;

[Collection("torch")]
public class TorchLoadTests
{
    [Fact]
    public void TorchSharp_Loads_AndComputesOnCpu()
    {
        var a = tensor(new float[] { 1, 2, 3 });
        var b = (a * 2).sum().item<float>();
        Assert.Equal(12f, b);
    }
}
