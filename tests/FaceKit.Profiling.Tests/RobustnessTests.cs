using FaceKit.Onnx;
using FaceKit.Profiling.Reporting;
using FaceKit.Profiling.Targets;

namespace FaceKit.Profiling.Tests;

public class RobustnessTests
{
    [Fact]
    public void OpsWithoutRules_SubgraphsAndDanglingNames_AreReportedNotFatal()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 1, 4, 8, 8);
        var nz = b.Node("NonZero", [x], name: "nonzero");
        var top = b.Node("TopK", [x, b.Int64s("k", 3)], name: "topk", outputs: 2);
        var branch = new OnnxGraph { Nodes = [new OnnxNode { OpType = "Identity", Inputs = ["x"], Outputs = ["inner"] }], Outputs = [new OnnxValueInfo("inner", OnnxDataType.Float, null)] };
        var iff = b.Node("If", [b.Initializer("cond", OnnxDataType.Bool)], [new OnnxAttribute { Name = "then_branch", Type = OnnxAttributeType.Graph, G = branch },
            new OnnxAttribute { Name = "else_branch", Type = OnnxAttributeType.Graph, G = branch }], "if");
        var ghost = b.Node("Add", [iff, "never_produced"], name: "ghost_add");
        var bad = b.Node("Reshape", [x, b.Int64s("bad_shape", 7, -1)], name: "bad_reshape"); // 256 elements do not split by 7
        var conv = b.Node("Conv", [x, b.Initializer("w", OnnxDataType.Float, 4, 4, 9, 9)], name: "too_big_kernel");
        foreach (var o in new[] { nz, top, ghost, bad, conv }) b.Output(o);

        var p = b.Profile(new ProfileOptions { Target = TargetProfile.Builtin("stm32n6-npu") });

        Assert.Equal(["If", "NonZero", "TopK"], p.UnknownOps);
        Assert.Contains(p.Warnings, w => w.Contains("bad_reshape"));
        Assert.Contains(p.Warnings, w => w.Contains("too_big_kernel"));
        Assert.Equal(6, p.Layers.Count);
        Assert.NotEmpty(ProfileReport.Text(p, layers: true));
    }

    [Fact]
    public void Cycle_LeavesNodesOutWithAWarning()
    {
        var model = new OnnxModel
        {
            Graph = new OnnxGraph
            {
                Nodes =
                [
                    new OnnxNode { Name = "a", OpType = "Relu", Inputs = ["b_out"], Outputs = ["a_out"] },
                    new OnnxNode { Name = "b", OpType = "Relu", Inputs = ["a_out"], Outputs = ["b_out"] },
                ],
                Inputs = [OnnxValueInfo.Fixed("x", OnnxDataType.Float, 1, 4)],
            },
        };
        var p = ModelProfiler.Profile(OnnxModel.Parse(model.ToBytes()));
        Assert.Contains(p.Warnings, w => w.Contains("cycle"));
        Assert.Empty(p.Layers);
    }
}
