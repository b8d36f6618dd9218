using FaceKit.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceKit.Training.Tests;

[Collection("torch")]
public class OptimizationTests
{
    [Fact]
    public void Schedule_WarmsUpLinearly_ThenFollowsTheCosine()
    {
        var s = new LearningRateSchedule(0.1, TotalSteps: 105, WarmupSteps: 5, MinLr: 0.001);
        Assert.Equal([0.02, 0.04, 0.06, 0.08, 0.1], Enumerable.Range(0, 5).Select(i => Math.Round(s.At(i), 12)));
        Assert.Equal(0.1, s.At(5), 12);                                        // cosine starts at the peak
        Assert.Equal(0.001 + 0.099 * 0.5 * (1 + Math.Cos(Math.PI * 25 / 99.0)), s.At(30), 12);
        Assert.Equal(0.001, s.At(104), 12);                                    // ends at the floor
        Assert.Equal(0.001, s.At(500), 12);
    }

    [Fact]
    public void Schedule_WithoutWarmup_StartsAtTheBaseRate()
    {
        var s = new LearningRateSchedule(0.1, TotalSteps: 11);
        Assert.Equal(0.1, s.At(0), 12);
        Assert.Equal(0.05, s.At(5), 12);
        Assert.Equal(0.0, s.At(10), 12);
    }

    [Fact]
    public void Sgd_MatchesHandComputedMomentumAndWeightDecay()
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(tensor(new float[] { 1, -2 }));
        using var sgd = new Sgd([("p", p)], (_, _) => 0.1, momentum: 0.9);
        float[] g1 = [0.5f, 1], g2 = [-1, 2];
        // step 1: d = g + wd·p; v = d; p -= lr·v
        p.grad = tensor(g1);
        sgd.Step(0.5);
        float[] d1 = [0.5f + 0.1f * 1, 1 + 0.1f * -2];
        float[] p1 = [1 - 0.5f * d1[0], -2 - 0.5f * d1[1]];
        Assert.Equal(p1, p.data<float>().ToArray());
        // step 2: v = 0.9·v + d
        p.grad = tensor(g2);
        sgd.Step(0.25);
        float[] v2 = [0.9f * d1[0] + (-1 + 0.1f * p1[0]), 0.9f * d1[1] + (2 + 0.1f * p1[1])];
        var expected = new[] { p1[0] - 0.25f * v2[0], p1[1] - 0.25f * v2[1] };
        var actual = p.data<float>().ToArray();
        Assert.Equal(expected[0], actual[0], 5);
        Assert.Equal(expected[1], actual[1], 5);
    }

    [Fact]
    public void Sgd_AgreesWithTorchSharpsSgd()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var init = randn(4, 3);
        var a = new Parameter(init.clone());
        var b = new Parameter(init.clone());
        using var ours = new Sgd([("a", a)], (_, _) => 5e-4, 0.9);
        var theirs = optim.SGD([b], 0.1, momentum: 0.9, weight_decay: 5e-4);
        for (int i = 0; i < 5; i++)
        {
            var target = randn(4, 3);
            ours.ZeroGrad();
            theirs.zero_grad();
            ((a - target).pow(2).sum()).backward();
            ((b - target).pow(2).sum()).backward();
            ours.Step(0.1);
            theirs.step();
        }
        Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6));
    }
}
