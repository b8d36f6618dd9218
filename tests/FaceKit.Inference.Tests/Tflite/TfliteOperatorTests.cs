using FaceKit.Core.Errors;
using FaceKit.Inference.Tflite;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceKit.Inference.Tests.Tflite;

/// <summary>
/// Each TFLite operator mapping on a model small enough to work out by hand: the model is written as a real
/// .tflite FlatBuffer, imported, and the ONNX graph run in ONNX Runtime. Inputs are NHWC as TFLite defines them;
/// every case runs with both NHWC and NCHW graph boundaries.
/// </summary>
public class TfliteOperatorTests
{
    private const int Same = 0, Valid = 1;

    /// <summary>Runs the converted model on one NHWC input; returns the first output in NHWC order.</summary>
    private static float[] Run(TinyTflite tiny, int[] inputShape, float[] input, bool nchw, out int[] outputShape)
    {
        var model = TfliteModel.Parse(tiny.ToBytes());
        var onnx = TfliteImporter.Convert(model, new TfliteImportOptions { NchwInputsAndOutputs = nchw }).Model;
        using var session = new InferenceSession(onnx.ToBytes());
        var data = input;
        var shape = inputShape;
        if (nchw && inputShape.Length == 4)
        {
            data = Transpose(input, inputShape, [0, 3, 1, 2]);
            shape = [inputShape[0], inputShape[3], inputShape[1], inputShape[2]];
        }
        var tensor = new DenseTensor<float>(data, shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), tensor)]);
        var output = (DenseTensor<float>)results[0].Value;
        outputShape = output.Dimensions.ToArray();
        var values = output.Buffer.ToArray();
        if (nchw && outputShape.Length == 4)
        {
            values = Transpose(values, outputShape, [0, 2, 3, 1]);
            outputShape = [outputShape[0], outputShape[2], outputShape[3], outputShape[1]];
        }
        return values;
    }

    private static float[] Transpose(float[] values, int[] shape, int[] perm)
    {
        var outShape = perm.Select(p => shape[p]).ToArray();
        var result = new float[values.Length];
        var stride = new int[shape.Length];
        stride[^1] = 1;
        for (int i = shape.Length - 2; i >= 0; i--) stride[i] = stride[i + 1] * shape[i + 1];
        var idx = new int[shape.Length];
        for (int o = 0; o < result.Length; o++)
        {
            int src = 0;
            for (int i = 0; i < idx.Length; i++) src += idx[i] * stride[perm[i]];
            result[o] = values[src];
            for (int i = idx.Length - 1; i >= 0; i--)
            {
                if (++idx[i] < outShape[i]) break;
                idx[i] = 0;
            }
        }
        return result;
    }

    private static void Near(float[] expected, float[] actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    private static float[] Range(int n, float start = 1) => Enumerable.Range(0, n).Select(i => start + i).ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Conv2D_SameStride2_PutsTheOddPaddingPixelAfter_AsTfliteDoes(bool nchw)
    {
        // 4×4 input 1..16, 3×3 kernel of ones, stride 2, SAME: out 2×2, total padding 1, all of it bottom/right.
        var m = new TinyTflite();
        int x = m.Input("x", 1, 4, 4, 1);
        int w = m.Constant("w", [1, 3, 3, 1], Enumerable.Repeat(1f, 9).ToArray());
        int b = m.Constant("b", [1], 0.5f);
        m.Output(m.Op(TfliteOps.Conv2D, [x, w, b], "y", [1, 2, 2, 1], TinyTflite.Conv(Same, 2, 2)));

        var y = Run(m, [1, 4, 4, 1], Range(16), nchw, out var shape);

        Assert.Equal([1, 2, 2, 1], shape);
        // (1+2+3)+(5+6+7)+(9+10+11); (3+4)+(7+8)+(11+12); (9+10+11)+(13+14+15); (11+12)+(15+16)
        Near([54.5f, 45.5f, 72.5f, 54.5f], y);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Conv2D_ValidWithTwoInputAndOutputChannels_MapsOhwiWeightsAndFusedRelu(bool nchw)
    {
        // 1×2×2×2 input; 2 filters of 1×1×2 (O,kh,kw,I): f0 = c0 − c1, f1 = 2·c1; RELU fused.
        var m = new TinyTflite();
        int x = m.Input("x", 1, 2, 2, 2);
        int w = m.Constant("w", [2, 1, 1, 2], 1, -1, 0, 2);
        m.Output(m.Op(TfliteOps.Conv2D, [x, w, -1], "y", [1, 2, 2, 2], TinyTflite.Conv(Valid, 1, 1, fused: 1)));

        // pixels (c0,c1): (1,2) (3,1) (0,5) (4,4)
        var y = Run(m, [1, 2, 2, 2], [1, 2, 3, 1, 0, 5, 4, 4], nchw, out _);

        Near([0, 4, 2, 2, 0, 10, 0, 8], y);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DepthwiseConv_WithMultiplier2_KeepsTfliteChannelOrder(bool nchw)
    {
        // 2 input channels, multiplier 2 → 4 outputs ordered c·M+m; 1×1 kernel weights [1,1,1,4] = (1, 10, 100, 1000).
        var m = new TinyTflite();
        int x = m.Input("x", 1, 1, 1, 2);
        int w = m.Constant("w", [1, 1, 1, 4], 1, 10, 100, 1000);
        int b = m.Constant("b", [4], 0, 0, 0, 1);
        m.Output(m.Op(TfliteOps.DepthwiseConv2D, [x, w, b], "y", [1, 1, 1, 4], TinyTflite.Depthwise(Valid, 1, 1, 2)));

        var y = Run(m, [1, 1, 1, 2], [2, 3], nchw, out _);

        Near([2, 20, 300, 3001], y);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MaxPool_Same_IgnoresPadding_EvenWhenEveryValueIsNegative(bool nchw)
    {
        // 3×3 input of negatives, 2×2 pool stride 2 SAME → 2×2; the padded cells must not contribute a 0.
        var m = new TinyTflite();
        int x = m.Input("x", 1, 3, 3, 1);
        m.Output(m.Op(TfliteOps.MaxPool2D, [x], "y", [1, 2, 2, 1], TinyTflite.Pool(Same, 2, 2, 2, 2)));

        var y = Run(m, [1, 3, 3, 1], Range(9, -9), nchw, out var shape);

        Assert.Equal([1, 2, 2, 1], shape);
        // input rows: (-9 -8 -7) (-6 -5 -4) (-3 -2 -1)
        Near([-5, -4, -2, -1], y);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DecomposedPRelu_AfterAConv_BroadcastsThePerChannelAlpha(bool nchw)
    {
        // The MTCNN files' PReLU: relu(x) + alpha·(x − |x|)·0.5, alpha per channel [3], after an identity 1×1 conv
        // so the activation is held NCHW and the constants must be permuted to [1,3,1,1].
        var m = new TinyTflite();
        int x = m.Input("x", 1, 1, 2, 3);
        int w = m.Constant("w", [3, 1, 1, 3], 1, 0, 0, 0, 1, 0, 0, 0, 1);
        int c = m.Op(TfliteOps.Conv2D, [x, w, -1], "c", [1, 1, 2, 3], TinyTflite.Conv(Valid, 1, 1));
        int pos = m.Op(TfliteOps.Relu, [c], "pos", [1, 1, 2, 3]);
        int abs = m.Op(TfliteOps.Abs, [c], "abs", [1, 1, 2, 3]);
        int diff = m.Op(TfliteOps.Sub, [c, abs], "diff", [1, 1, 2, 3], TinyTflite.Fused(0));
        int alpha = m.Constant("alpha", [3], 0.1f, 0.2f, 0.5f);
        int half = m.Constant("half", [], 0.5f);
        int scaled = m.Op(TfliteOps.Mul, [diff, alpha], "scaled", [1, 1, 2, 3], TinyTflite.Fused(0));
        int neg = m.Op(TfliteOps.Mul, [scaled, half], "neg", [1, 1, 2, 3], TinyTflite.Fused(0));
        m.Output(m.Op(TfliteOps.Add, [pos, neg], "y", [1, 1, 2, 3], TinyTflite.Fused(0)));

        var y = Run(m, [1, 1, 2, 3], [-10, -10, -10, 4, -2, 6], nchw, out _);

        Near([-1, -2, -5, 4, -0.4f, 6], y);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SoftmaxFromPieces_OverTheChannelAxis_SumsToOne(bool nchw)
    {
        // P-Net's softmax: max, sub, exp, sum, div over the last (channel) axis of a 4-D map, keep_dims.
        var m = new TinyTflite();
        int x = m.Input("x", 1, 1, 2, 2);
        int w = m.Constant("w", [2, 1, 1, 2], 1, 0, 0, 1);
        int c = m.Op(TfliteOps.Conv2D, [x, w, -1], "c", [1, 1, 2, 2], TinyTflite.Conv(Valid, 1, 1));
        int axis = m.Tensor("axis", [1], ints: [3]);
        int max = m.Op(TfliteOps.ReduceMax, [c, axis], "max", [1, 1, 2, 1], TinyTflite.Reducer(true));
        int shifted = m.Op(TfliteOps.Sub, [c, max], "shifted", [1, 1, 2, 2], TinyTflite.Fused(0));
        int exp = m.Op(TfliteOps.Exp, [shifted], "exp", [1, 1, 2, 2]);
        int sum = m.Op(TfliteOps.Sum, [exp, axis], "sum", [1, 1, 2, 1], TinyTflite.Reducer(true));
        m.Output(m.Op(TfliteOps.Div, [exp, sum], "prob", [1, 1, 2, 2], TinyTflite.Fused(0)));

        var y = Run(m, [1, 1, 2, 2], [0, MathF.Log(3), 5, 5], nchw, out _);

        Near([0.25f, 0.75f, 0.5f, 0.5f], y);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReshapeThenFullyConnected_FlattensInHeightWidthChannelOrder(bool nchw)
    {
        // After a conv (held NCHW) the flatten must still read H,W,C order: weights pick element 1 and element 2·… .
        var m = new TinyTflite();
        int x = m.Input("x", 1, 1, 2, 2);
        int w = m.Constant("w", [2, 1, 1, 2], 1, 0, 0, 1);
        int c = m.Op(TfliteOps.Conv2D, [x, w, -1], "c", [1, 1, 2, 2], TinyTflite.Conv(Valid, 1, 1));
        int flat = m.Op(TfliteOps.Reshape, [c], "flat", [1, 4], TinyTflite.Reshape(1, 4));
        // out0 = 1·e0 + 10·e1 + 100·e2 + 1000·e3; out1 = e3 − e0; bias (0.5, 0)
        int fw = m.Constant("fw", [2, 4], 1, 10, 100, 1000, -1, 0, 0, 1);
        int fb = m.Constant("fb", [2], 0.5f, 0);
        m.Output(m.Op(TfliteOps.FullyConnected, [flat, fw, fb], "y", [1, 2], TinyTflite.Fused(0)));

        var y = Run(m, [1, 1, 2, 2], [1, 2, 3, 4], nchw, out var shape);

        Assert.Equal([1, 2], shape);
        Near([4321.5f, 3], y);
    }

    [Fact]
    public void NegAndDeprecatedOperatorCodes_AreReadLikeTheNewOnes()
    {
        // Old converters wrote only the int8 deprecated_builtin_code; the reader must take the larger of the two.
        var m = new TinyTflite();
        int x = m.Input("x", 1, 3);
        int n = m.Op(TfliteOps.Neg, [x], "n", [1, 3], deprecatedCode: true);
        m.Output(m.Op(TfliteOps.Abs, [n], "y", [1, 3]));
        var model = TfliteModel.Parse(m.ToBytes());
        Assert.Equal(["NEG", "ABS"], model.OperatorHistogram().Select(h => h.Name));

        var y = Run(m, [1, 3], [-1, 2, -3], nchw: true, out _);
        Near([1, 2, 3], y);
    }

    [Fact]
    public void UnknownOperators_AreRefused_AllNamedInOneMessage()
    {
        var m = new TinyTflite();
        int x = m.Input("x", 1, 4);
        int t = m.Op(39, [x], "t", [1, 4]);                       // TRANSPOSE
        int u = m.Op(TfliteOps.Custom, [t], "u", [1, 4], custom: "Mystery");
        m.Output(m.Op(TfliteOps.Relu, [u], "y", [1, 4]));

        var e = Assert.Throws<FaceKitException>(() => TfliteImporter.Convert(TfliteModel.Parse(m.ToBytes())));

        Assert.Equal(ErrorCode.BadInput, e.Code);
        Assert.Contains("TRANSPOSE", e.Message);
        Assert.Contains("CUSTOM 'Mystery'", e.Message);
    }

    [Fact]
    public void NotATfliteFile_IsBadInput()
    {
        var e = Assert.Throws<FaceKitException>(() => TfliteModel.Parse(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }));
        Assert.Equal(ErrorCode.BadInput, e.Code);
        Assert.Contains("TFL3", e.Message);
    }
}
