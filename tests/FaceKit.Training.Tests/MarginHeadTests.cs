using FaceKit.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceKit.Training.Tests;

/// <summary>Logits against the formulas worked by hand for embeddings at known angles to the class weights.</summary>
[Collection("torch")]
public class MarginHeadTests
{
    // Two 2-D classes: w0 at 0°, w1 at 90°. The embedding is at angle a to w0 (and 90° − a to w1); the label is class 0.
    private static float[] Logits(MarginOptions options, double degrees, float norm = 3f)
    {
        using var scope = NewDisposeScope();
        using var head = new MarginHead(2, 2, options);
        using (no_grad()) head.weight.copy_(tensor(new float[] { 2, 0, 0, 5 }, [2, 2])); // norms must not matter
        double a = degrees * Math.PI / 180;
        var x = tensor(new[] { (float)(norm * Math.Cos(a)), (float)(norm * Math.Sin(a)) }, [1, 2]);
        return head.Logits(x, tensor(new long[] { 0 })).data<float>().ToArray();
    }

    [Theory]
    [InlineData(30)]
    [InlineData(60)]
    [InlineData(120)]
    public void ArcFace_AddsTheAngleToTheTargetOnly(double degrees)
    {
        var logits = Logits(MarginOptions.ArcFace(), degrees);
        double t = degrees * Math.PI / 180;
        Assert.Equal(64 * Math.Cos(t + 0.5), logits[0], 3);
        Assert.Equal(64 * Math.Cos(Math.PI / 2 - t), logits[1], 3);
    }

    [Fact]
    public void ArcFace_PastPiMinusM_UsesTheMonotoneContinuation()
    {
        // θ = 160° > 180° − 28.6°: cos(θ + m) would rise again; the reference rule gives cos θ − m·sin m.
        var logits = Logits(MarginOptions.ArcFace(), 160);
        double t = 160 * Math.PI / 180;
        Assert.Equal(64 * (Math.Cos(t) - Math.Sin(Math.PI - 0.5) * 0.5), logits[0], 3);
    }

    [Fact]
    public void ArcFace_EasyMargin_KeepsCosineBeyondNinetyDegrees()
    {
        var options = MarginOptions.ArcFace() with { EasyMargin = true };
        Assert.Equal(64 * Math.Cos(100 * Math.PI / 180), Logits(options, 100)[0], 3);
        Assert.Equal(64 * Math.Cos(80 * Math.PI / 180 + 0.5), Logits(options, 80)[0], 3);
    }

    [Fact]
    public void CosFace_SubtractsTheMarginFromTheTargetCosine()
    {
        var logits = Logits(MarginOptions.CosFace(), 40);
        Assert.Equal(64 * (Math.Cos(40 * Math.PI / 180) - 0.35), logits[0], 3);
        Assert.Equal(64 * Math.Cos(50 * Math.PI / 180), logits[1], 3);
    }

    [Fact]
    public void Combined_CoversArcFaceAndCosFace()
    {
        double t = 50 * Math.PI / 180;
        Assert.Equal(64 * (Math.Cos(1.0 * t + 0.3) - 0.2), Logits(MarginOptions.Combined(64, 1.0, 0.3, 0.2), 50)[0], 3);
        Assert.Equal(Logits(MarginOptions.CosFace(), 50)[0], Logits(MarginOptions.Combined(64, 1, 0, 0.35), 50)[0], 3);
        Assert.Equal(Logits(MarginOptions.ArcFace(), 50)[0], Logits(MarginOptions.Combined(64, 1, 0.5, 0), 50)[0], 3);
    }

    [Fact]
    public void Softmax_IsAPlainLinearLayer()
    {
        using var scope = NewDisposeScope();
        using var head = new MarginHead(2, 2, MarginOptions.Softmax());
        using (no_grad())
        {
            head.weight.copy_(tensor(new float[] { 1, 2, 3, 4 }, [2, 2]));
            head.bias!.copy_(tensor(new float[] { 0.5f, -1 }));
        }
        var logits = head.Logits(tensor(new float[] { 1, -1 }, [1, 2]), tensor(new long[] { 0 })).data<float>().ToArray();
        Assert.Equal([1 - 2 + 0.5f, 3 - 4 - 1f], logits);
    }

    [Fact]
    public void ArcFace_GradientFlowsAndIsFinite_AtTheBoundary()
    {
        using var scope = NewDisposeScope();
        using var head = new MarginHead(2, 2, MarginOptions.ArcFace());
        using (no_grad()) head.weight.copy_(tensor(new float[] { 1, 0, 0, 1 }, [2, 2]));
        var x = tensor(new float[] { 1, 0 }, [1, 2], requires_grad: true); // cos θ = 1 exactly
        var loss = nn.functional.cross_entropy(head.Logits(x, tensor(new long[] { 0 })), tensor(new long[] { 0 }));
        loss.backward();
        Assert.True(x.grad!.isfinite().all().item<bool>());
    }
}
