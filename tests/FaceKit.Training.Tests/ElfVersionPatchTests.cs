using FaceKit.Testing;
using FaceKit.Training.Native;

namespace FaceKit.Training.Tests;

public class ElfVersionPatchTests
{
    private static string Library => Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");

    [Fact]
    public void Build_LeavesLibTorchSharpWithAWeakGlibcxx332Requirement()
    {
        Assert.Equal(ElfVersionRequirement.Weak, ElfVersionPatch.Check(Library, ElfVersionPatch.LibTorchSharpVersion));
    }

    [Fact]
    public void MakeWeak_IsIdempotent_AndTouchesOnlyTheFlag()
    {
        using var dir = new TempDirectory();
        var copy = dir.File("lib.so");
        File.Copy(Library, copy);
        Assert.True(ElfVersionPatch.SetWeak(copy, ElfVersionPatch.LibTorchSharpVersion, weak: false));
        Assert.Equal(ElfVersionRequirement.Strong, ElfVersionPatch.Check(copy, ElfVersionPatch.LibTorchSharpVersion));
        var strong = File.ReadAllBytes(copy);

        Assert.True(ElfVersionPatch.MakeWeak(copy, ElfVersionPatch.LibTorchSharpVersion));
        var once = File.ReadAllBytes(copy);
        Assert.False(ElfVersionPatch.MakeWeak(copy, ElfVersionPatch.LibTorchSharpVersion));
        var twice = File.ReadAllBytes(copy);

        Assert.Equal(once, twice);
        Assert.Equal(File.ReadAllBytes(Library), once);
        Assert.Equal(1, strong.Zip(once).Count(p => p.First != p.Second));
    }

    [Fact]
    public void VersionNotRequired_IsLeftAlone()
    {
        Assert.Equal(ElfVersionRequirement.Absent, ElfVersionPatch.Check(Library, "GLIBCXX_9.9.99"));
        Assert.Equal(ElfVersionRequirement.Strong, ElfVersionPatch.Check(Library, "GLIBCXX_3.4.30"));
    }

    [Fact]
    public void NotAnElfFile_Throws()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("x.so"), new string('x', 100));
        Assert.Throws<InvalidDataException>(() => ElfVersionPatch.Check(dir.File("x.so"), "GLIBCXX_3.4.32"));
    }
}
