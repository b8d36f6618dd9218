using FaceKit.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceKit.Training.Tests;

/// <summary>Output shapes and parameter counts against counts worked out by hand from each paper's layer table.</summary>
[Collection("torch")]
public class ArchitectureTests
{
    // Hand counting: a k×k conv without bias has k²·(cin/groups)·cout weights; BN has a scale and a shift per
    // channel (running statistics are buffers, not parameters); PReLU has one slope per channel.
    private static long Conv(long cin, long cout, long k, long groups = 1) => k * k * (cin / groups) * cout;
    private static long Bn(long c) => 2 * c;
    private static long ConvBn(long cin, long cout, long k, long groups = 1, bool prelu = true) =>
        Conv(cin, cout, k, groups) + Bn(cout) + (prelu ? cout : 0);
    private static long Bottleneck(long cin, long cout, long t, bool prelu = true)
    {
        long h = cin * t;
        return (t == 1 ? 0 : ConvBn(cin, h, 1, prelu: prelu)) + ConvBn(h, h, 3, groups: h, prelu: prelu) + ConvBn(h, cout, 1, prelu: false);
    }
    private static long Stage(ref long c, long cout, long n, long t, bool prelu = true)
    {
        long sum = 0;
        for (int i = 0; i < n; i++) { sum += Bottleneck(c, cout, t, prelu); c = cout; }
        return sum;
    }

    private static long OriginalMobileFaceNetBackbone()
    {
        long c = 64;
        long sum = ConvBn(3, 64, 3) + ConvBn(64, 64, 3, groups: 64);
        sum += Stage(ref c, 64, 5, 2) + Stage(ref c, 128, 1, 4) + Stage(ref c, 128, 6, 2) + Stage(ref c, 128, 1, 4) + Stage(ref c, 128, 2, 2);
        return sum + ConvBn(128, 512, 1);
    }

    private static long NpuBackbone()
    {
        long c = 64;
        long sum = ConvBn(3, 64, 3) + ConvBn(64, 64, 3, groups: 64) + ConvBn(64, 64, 1);
        sum += Stage(ref c, 128, 5, 2) + Stage(ref c, 128, 1, 4) + Stage(ref c, 128, 6, 2) + Stage(ref c, 128, 3, 2);
        return sum + ConvBn(128, 512, 1);
    }

    private static long GdcHead(long e) => ConvBn(512, 512, 7, groups: 512, prelu: false) + ConvBn(512, e, 1, prelu: false);
    private static long V1Head(long e) => ConvBn(512, 512, 7, groups: 512, prelu: false) + ConvBn(512, 512, 1) + ConvBn(512, e, 1, prelu: false);
    private static long V2Head(long e) =>
        2 * ConvBn(512, 512, 3, groups: 512) + ConvBn(512, 512, 3, groups: 512, prelu: false) + ConvBn(512, 512, 1) + ConvBn(512, e, 1, prelu: false);
    private static long V3Head(long e) => ConvBn(512, e, 1, prelu: false);

    private static long MobileNetV2Backbone()
    {
        long c = 32;
        long sum = ConvBn(3, 32, 3, prelu: false);
        sum += Stage(ref c, 16, 1, 1, false) + Stage(ref c, 24, 2, 6, false) + Stage(ref c, 32, 3, 6, false) + Stage(ref c, 64, 4, 6, false)
               + Stage(ref c, 96, 3, 6, false) + Stage(ref c, 160, 3, 6, false) + Stage(ref c, 320, 1, 6, false);
        return sum + ConvBn(320, 512, 1, prelu: false);
    }

    private static long IResNet50(long e)
    {
        long sum = ConvBn(3, 64, 3);
        long inplanes = 64;
        int[] blocks = [3, 4, 14, 3];
        long[] planes = [64, 128, 256, 512];
        for (int s = 0; s < 4; s++)
            for (int b = 0; b < blocks[s]; b++)
            {
                long p = planes[s];
                sum += Bn(inplanes) + Conv(inplanes, p, 3) + Bn(p) + p + Conv(p, p, 3) + Bn(p);
                if (b == 0) sum += Conv(inplanes, p, 1) + Bn(p); // every stage starts with stride 2: a projection shortcut
                inplanes = p;
            }
        return sum + Bn(512) + 512L * 7 * 7 * e + e + Bn(e);
    }

    public static TheoryData<string, long> ExpectedCounts => new()
    {
        { "mobilefacenet", OriginalMobileFaceNetBackbone() + GdcHead(128) },
        { "mobilefacenet-v1", NpuBackbone() + V1Head(128) },
        { "mobilefacenet-v2", NpuBackbone() + V2Head(128) },
        { "mobilefacenet-v3", NpuBackbone() + V3Head(128) },
        { "mobilenetv2", MobileNetV2Backbone() + GdcHead(512) },
        { "iresnet50", IResNet50(512) },
    };

    [Theory]
    [MemberData(nameof(ExpectedCounts))]
    public void ParameterCount_MatchesHandCount(string arch, long expected)
    {
        using var model = Architectures.Create(arch);
        Assert.Equal(expected, model.ParameterCount);
    }

    [Fact]
    public void OriginalMobileFaceNet_HasThePapersMillionParameters()
    {
        // arXiv 1804.07573 reports 0.99M parameters for MobileFaceNet (128-d).
        using var model = Architectures.Create("mobilefacenet");
        Assert.InRange(model.ParameterCount, 980_000, 1_010_000);
    }

    [Fact]
    public void IResNet50_HasInsightFacesParameterCount()
    {
        // InsightFace's iresnet50 (512-d) has 43.59M parameters (its FC alone is 25088×512).
        using var model = Architectures.Create("iresnet50");
        Assert.InRange(model.ParameterCount, 43_500_000, 43_700_000);
    }

    [Theory]
    [InlineData("mobilefacenet", 128)]
    [InlineData("mobilefacenet-v1", 128)]
    [InlineData("mobilefacenet-v2", 128)]
    [InlineData("mobilefacenet-v3", 128)]
    [InlineData("mobilenetv2", 512)]
    [InlineData("iresnet50", 512)]
    public void Forward_112x112Faces_GiveOneEmbeddingEach(string arch, int dimension)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        using var model = Architectures.Create(arch);
        model.eval();
        using var _ = no_grad();
        var output = model.forward(randn(1, 3, 112, 112));
        Assert.Equal(new long[] { 1, dimension }, output.shape);
        Assert.False(output.isnan().any().item<bool>());
    }

    [Theory]
    [InlineData("mobilefacenet")]
    [InlineData("mobilefacenet-v3")]
    [InlineData("mobilenetv2")]
    public void Backbone_EndsAt7x7x512(string arch)
    {
        using var scope = NewDisposeScope();
        using var model = Architectures.Create(arch);
        model.eval();
        using var _ = no_grad();
        Assert.Equal(new long[] { 1, 512, 7, 7 }, model.backbone.forward(zeros(1, 3, 112, 112)).shape);
    }

    [Fact]
    public void NpuBackbone_PassesThroughTheIssuesStageSizes()
    {
        // 56²(64) after the stem, then 28²(128) → 14²(128) → 14²(128) → 7²(128), 1×1 to 512.
        using var scope = NewDisposeScope();
        using var backbone = new MobileFaceNetBackbone(MobileFaceNetConfig.Npu);
        backbone.eval();
        using var _ = no_grad();
        var x = backbone.stem_pw!.forward(backbone.stem_dw.forward(backbone.stem.forward(zeros(1, 3, 112, 112))));
        Assert.Equal(new long[] { 1, 64, 56, 56 }, x.shape);
        var sizes = new List<(long C, long H)>();
        foreach (var block in backbone.blocks.children())
        {
            x = ((nn.Module<Tensor, Tensor>)block).forward(x);
            sizes.Add((x.shape[1], x.shape[2]));
        }
        int[] stageEnds = [5, 6, 12, 15];
        Assert.Equal([(128L, 28L), (128L, 14L), (128L, 14L), (128L, 7L)], stageEnds.Select(i => sizes[i - 1]).ToArray());
        Assert.Equal(new long[] { 1, 512, 7, 7 }, backbone.conv_out.forward(x).shape);
    }

    [Fact]
    public void HeadV2_ReducesSevenToOneInThreeStrides()
    {
        using var scope = NewDisposeScope();
        using var head = new EmbeddingHead(HeadKind.V2, 512, 128);
        head.eval();
        using var _ = no_grad();
        var x = zeros(1, 512, 7, 7);
        var sides = new List<long>();
        foreach (var layer in head.layers.children().Take(3))
        {
            x = ((nn.Module<Tensor, Tensor>)layer).forward(x);
            sides.Add(x.shape[2]);
        }
        Assert.Equal([4L, 2L, 1L], sides);
    }

    [Fact]
    public void EmbeddingSize_IsAParameter()
    {
        using var scope = NewDisposeScope();
        using var model = Architectures.Create("mobilefacenet-v3", 64);
        model.eval();
        using var _ = no_grad();
        Assert.Equal(new long[] { 1, 64 }, model.forward(zeros(1, 3, 112, 112)).shape);
    }

    [Fact]
    public void UnknownArchitecture_IsABadInputNamingTheKnownOnes()
    {
        var e = Assert.Throws<FaceKit.Core.Errors.FaceKitException>(() => Architectures.Create("resnet9000"));
        Assert.True(e.IsUserError);
        Assert.Contains("mobilefacenet-v3", e.Message);
    }
}
