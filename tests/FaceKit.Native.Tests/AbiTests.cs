using System.Text.RegularExpressions;

namespace FaceKit.Native.Tests;

/// <summary>The shape of the shipped library: exports, header, RUNPATH, files beside it.</summary>
[Collection(NativeCollection.Name)]
public sealed partial class AbiTests(NativeLibraryFixture native)
{
    private string Header => Path.Combine(native.IncludeDirectory, "facekit.h");

    [Fact]
    public void ExportedSymbols_AreExactlyTheHeaderFunctions()
    {
        var declared = FunctionDeclaration().Matches(File.ReadAllText(Header)).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains("fk_create_template", declared);
        var nm = NativeLibraryFixture.Run("nm", ["-D", "--defined-only", native.Library], TimeSpan.FromMinutes(1));
        Assert.True(nm.ExitCode == 0, nm.Output);
        var exported = nm.Lines.Select(l => l.Split(' ')).Where(p => p.Length == 3 && p[1] == "T")
            .Select(p => p[2].Split('@')[0]).ToHashSet();
        Assert.Equal(declared.Order(), exported.Where(e => e.StartsWith("fk_")).Order());
        Assert.DoesNotContain(exported, e => !e.StartsWith("fk_"));
    }

    [Fact]
    public void Library_HasRunpathOrigin_AndItsDependenciesBesideIt()
    {
        var readelf = NativeLibraryFixture.Run("readelf", ["-d", native.Library], TimeSpan.FromMinutes(1));
        Assert.True(readelf.ExitCode == 0, readelf.Output);
        Assert.Contains("[$ORIGIN]", readelf.Stdout);
        foreach (var dep in new[] { "libonnxruntime.so", "libOpenCvSharpExtern.so", "libe_sqlite3.so" })
            Assert.True(File.Exists(Path.Combine(native.LibraryDirectory, dep)), dep + " is not beside libfacekit.so");
    }

    [Fact]
    public void Header_CompilesAsC99_AndAsCpp()
    {
        var src = Path.Combine(native.WorkDirectory.Path, "h.c");
        File.WriteAllText(src, "#include <facekit.h>\nint main(void) { return FK_OK; }\n");
        var c = NativeLibraryFixture.Run("gcc", ["-std=c99", "-pedantic", "-Wall", "-Werror", "-fsyntax-only", "-I" + native.IncludeDirectory, src], TimeSpan.FromMinutes(1));
        Assert.True(c.ExitCode == 0, c.Output);
        if (NativeLibraryFixture.Tool("g++") is null) return;
        var cpp = NativeLibraryFixture.Run("g++", ["-x", "c++", "-std=c++11", "-Wall", "-Werror", "-fsyntax-only", "-I" + native.IncludeDirectory, src], TimeSpan.FromMinutes(1));
        Assert.True(cpp.ExitCode == 0, cpp.Output);
    }

    [Fact]
    public void PublishedHeader_IsTheSourceHeader()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(native.Repo, "src", "FaceKit.Native", "include", "facekit.h")), File.ReadAllText(Header));
    }

    [Fact]
    public void Documentation_ListsEveryHeaderFunction()
    {
        var doc = File.ReadAllText(Path.Combine(native.Repo, "docs", "native-api.md"));
        var declared = FunctionDeclaration().Matches(File.ReadAllText(Header)).Select(m => m.Groups[1].Value);
        Assert.All(declared, f => Assert.Contains(f + "(", doc));
    }

    [GeneratedRegex(@"^(?:fk_status|const char \*)\s*(fk_\w+)\(", RegexOptions.Multiline)]
    private static partial Regex FunctionDeclaration();
}
