using System.Text.Json;
using FaceKit.Testing;
using Xunit.Abstractions;

namespace FaceKit.Native.Tests;

/// <summary>The examples of docs/native-api.md (examples/native) build and give the documented answers.</summary>
[Collection(NativeCollection.Name)]
public sealed class ExampleTests(NativeLibraryFixture native, ITestOutputHelper log)
{
    private static string Img(string person, int n) => SharedData.Path("unit", "images", person, $"{person}_{n:0000}.jpg");

    [RealModelFact]
    public void CExample_VerifiesSameAndDifferentPeople()
    {
        var exe = native.WorkDirectory.File("verify");
        var cc = NativeLibraryFixture.Run("gcc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-I" + native.IncludeDirectory,
            Path.Combine(native.Repo, "examples", "native", "verify.c"), "-L" + native.LibraryDirectory, "-lfacekit",
            "-Wl,-rpath," + native.LibraryDirectory, "-o", exe], TimeSpan.FromMinutes(2));
        Assert.True(cc.ExitCode == 0, cc.Output);

        var same = NativeLibraryFixture.Run(exe, [TestModels.Directory, Img("Aaron_Peirsol", 1), Img("Aaron_Peirsol", 2)], TimeSpan.FromMinutes(2));
        log.WriteLine(same.Output);
        Assert.Equal(0, same.ExitCode);
        Assert.Contains("same person", same.Stdout);
        var diff = NativeLibraryFixture.Run(exe, [TestModels.Directory, Img("Aaron_Peirsol", 1), Img("Adam_Sandler", 1)], TimeSpan.FromMinutes(2));
        log.WriteLine(diff.Output);
        Assert.Equal(1, diff.ExitCode);
        var bad = NativeLibraryFixture.Run(exe, [TestModels.Directory, Img("Aaron_Peirsol", 1), Path.Combine(native.Repo, "Makefile")], TimeSpan.FromMinutes(2));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("FK_ERR_BAD_IMAGE", bad.Stderr);
    }

    [RealModelFact]
    public void PythonCtypesExample_VerifiesAPair()
    {
        var python = NativeLibraryFixture.Tool("python3");
        if (python is null) { log.WriteLine("python3 not installed: skipped"); return; }
        var r = NativeLibraryFixture.Run(python, [Path.Combine(native.Repo, "examples", "native", "facekit_verify.py"),
            "--lib", native.Library, "--models", TestModels.Directory, "--json", Img("Aaron_Peirsol", 1), Img("Aaron_Peirsol", 2)], TimeSpan.FromMinutes(2));
        log.WriteLine(r.Output);
        Assert.True(r.ExitCode == 0, r.Output);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.True(doc.RootElement.GetProperty("same").GetBoolean());
        Assert.InRange(doc.RootElement.GetProperty("similarity").GetDouble(), 0.5, 1.0);
        Assert.True(doc.RootElement.GetProperty("eyes")[0].GetProperty("face_found").GetBoolean());

        var diff = NativeLibraryFixture.Run(python, [Path.Combine(native.Repo, "examples", "native", "facekit_verify.py"),
            "--lib", native.Library, "--models", TestModels.Directory, Img("Aaron_Peirsol", 1), Img("Adam_Sandler", 1)], TimeSpan.FromMinutes(2));
        log.WriteLine(diff.Output);
        Assert.Equal(1, diff.ExitCode);
        Assert.Contains("different", diff.Stdout);
    }
}
