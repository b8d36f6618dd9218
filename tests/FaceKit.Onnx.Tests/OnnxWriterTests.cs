using FaceKit.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceKit.Onnx.Tests;

/// <summary>
/// The writer is what the TFLite importer and the training exporter save models with: what it writes must read
/// back unchanged and run in ONNX Runtime with the values worked out by hand.
/// </summary>
public class OnnxWriterTests
{
    /// <summary>y = Relu(Gemm(x, W, b, transB)) with W = [[1,2],[−1,0],[0,3]] and b = (0.5, 0, −10).</summary>
    private static OnnxModel SmallDenseModel() => new()
    {
        ProducerName = "facekit-onnx-tests",
        Opsets = [new OnnxOpset("", 13)],
        Graph = new OnnxGraph
        {
            Name = "dense",
            Inputs = [new OnnxValueInfo("x", OnnxDataType.Float, [new OnnxDim(null, "N"), new OnnxDim(2, null)])],
            Outputs = [new OnnxValueInfo("y", OnnxDataType.Float, [new OnnxDim(null, "N"), new OnnxDim(3, null)])],
            Initializers =
            [
                OnnxTensor.FromFloats("W", [3, 2], [1, 2, -1, 0, 0, 3]),
                OnnxTensor.FromFloats("b", [3], [0.5f, 0, -10]),
            ],
            Nodes =
            [
                new OnnxNode { Name = "fc", OpType = "Gemm", Inputs = ["x", "W", "b"], Outputs = ["h"], Attributes = [OnnxAttribute.Of("transB", 1L)] },
                new OnnxNode { Name = "act", OpType = "Relu", Inputs = ["h"], Outputs = ["y"] },
            ],
        },
    };

    [Fact]
    public void WrittenModel_RunsInOnnxRuntime_WithHandComputedOutputs()
    {
        using var session = new InferenceSession(SmallDenseModel().ToBytes());
        var x = new DenseTensor<float>(new float[] { 1, 2, -3, 4 }, [2, 2]);

        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", x)]);

        // row (1,2): (5.5, −1→0, −4→0); row (−3,4): (5.5, 3, 2)
        Assert.Equal([5.5f, 0, 0, 5.5f, 3, 2], ((DenseTensor<float>)results[0].Value).Buffer.ToArray());
        Assert.Equal(-1, session.InputMetadata["x"].Dimensions[0]);
    }

    [Fact]
    public void WrittenModel_ReadsBack_WithSymbolicDimsAndInitializerValues()
    {
        var read = OnnxModel.Parse(SmallDenseModel().ToBytes());

        Assert.Equal("facekit-onnx-tests", read.ProducerName);
        Assert.Equal("N", read.Graph.Inputs[0].Shape![0].Param);
        Assert.Equal(2, read.Graph.Inputs[0].Shape![1].Value);
        Assert.Equal([0.5, 0, -10], read.Graph.Initializers.Single(t => t.Name == "b").ToDoubleArray()!);
        Assert.Equal(1, read.Graph.Nodes[0].Int("transB", 0));
    }

    [Fact]
    public void Writing_IsDeterministic_SoPinnedChecksumsOfGeneratedModelsHold()
    {
        Assert.Equal(SmallDenseModel().ToBytes(), SmallDenseModel().ToBytes());
    }
}
