using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

/// <summary>A gallery holding one person, which bad-input runs must leave exactly as it was.</summary>
public sealed class OnePersonGallery : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly Lazy<string> _path;

    public OnePersonGallery() => _path = new Lazy<string>(() =>
    {
        var gallery = _temp.File("one.db");
        var run = Facekit.Run("enroll", "--gallery", gallery, "Aaron_Peirsol", UnitFaces.Photo("Aaron_Peirsol", 1));
        if (run.ExitCode != 0) throw new InvalidOperationException($"could not build the test gallery:\n{run}");
        return gallery;
    });

    public string Path => _path.Value;

    public void Dispose() => _temp.Dispose();
}

/// <summary>
/// Every way a user can hand facekit a bad picture: exit 2, one line on stderr saying what is wrong, no stack
/// trace, and nothing written to any gallery.
/// </summary>
public sealed class BadInputTests(OnePersonGallery existing) : IClassFixture<OnePersonGallery>
{
    public static TheoryData<string> BadImages => new()
    {
        "truncated-jpeg", "zero-bytes", "text-named-jpg", "png-header-20000x20000", "jpeg-header-20000x20000",
        "grey-png-without-face", "noise-pgm-without-face", "missing-file",
    };

    /// <summary>Writes the bad image into <paramref name="dir"/>; returns its path and the words its error must contain.</summary>
    private static (string Path, string[] Mentions) Make(string kind, TempDirectory dir)
    {
        switch (kind)
        {
            case "truncated-jpeg":
            {
                var whole = File.ReadAllBytes(UnitFaces.Photo("Abdullah", 1));
                var path = dir.File("cut.jpg");
                File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
                return (path, ["cut.jpg", "truncated"]);
            }
            case "zero-bytes":
                File.WriteAllBytes(dir.File("empty.jpg"), []);
                return (dir.File("empty.jpg"), ["empty.jpg", "empty"]);
            case "text-named-jpg":
                File.WriteAllText(dir.File("notes.jpg"), "this is a shopping list, not a photograph\n");
                return (dir.File("notes.jpg"), ["notes.jpg", "not an image"]);
            case "png-header-20000x20000":
                File.WriteAllBytes(dir.File("bomb.png"), CraftedImages.PngHeaderOnly(20000, 20000));
                return (dir.File("bomb.png"), ["bomb.png", "20000x20000"]);
            case "jpeg-header-20000x20000":
                File.WriteAllBytes(dir.File("bomb.jpg"), CraftedImages.JpegHeaderOnly(20000, 20000));
                return (dir.File("bomb.jpg"), ["bomb.jpg", "20000x20000"]);
            case "grey-png-without-face":
                File.WriteAllBytes(dir.File("grey.png"), CraftedImages.Png(640, 480, 3, CraftedImages.Flat(640, 480, 3, 128)));
                return (dir.File("grey.png"), ["grey.png", "no face"]);
            case "noise-pgm-without-face":
                File.WriteAllBytes(dir.File("noise.pgm"), CraftedImages.Pgm(640, 480, CraftedImages.Noise(640, 480, 1, seed: 7)));
                return (dir.File("noise.pgm"), ["noise.pgm", "no face"]);
            case "missing-file":
                return (dir.File("not-there.jpg"), ["not-there.jpg", "no such file"]);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    [RealModelTheory]
    [MemberData(nameof(BadImages))]
    public void Enroll_GoodPhotoThenBadOne_ExitsTwoWithOneLineAndWritesNothing(string kind)
    {
        using var temp = new TempDirectory();
        var (bad, mentions) = Make(kind, temp);
        var before = GalleryFiles.Listing(existing.Path);

        var run = Facekit.Run("enroll", "--gallery", existing.Path, "Abdullah", UnitFaces.Photo("Abdullah", 1), bad);

        CliAssert.BadInputWithOneLine(run, mentions);
        var after = GalleryFiles.Listing(existing.Path);
        Assert.Equal(before.TemplateCount, after.TemplateCount);
        Assert.Equal(before.Text, after.Text);
    }

    [RealModelTheory]
    [InlineData("truncated-jpeg")]
    [InlineData("png-header-20000x20000")]
    [InlineData("noise-pgm-without-face")]
    public void Enroll_GoodPhotoThenBadOneIntoANewGalleryPath_LeavesNoGallery(string kind)
    {
        // One of each way to fail: before decoding, in the decoder's checks, after the whole pipeline ran.
        using var temp = new TempDirectory();
        var (bad, _) = Make(kind, temp);
        var gallery = temp.File("new.db");

        var run = Facekit.Run("enroll", "--gallery", gallery, "Abdullah", UnitFaces.Photo("Abdullah", 1), bad);

        CliAssert.BadInputWithOneLine(run);
        Assert.False(File.Exists(gallery), $"a failed enrolment left a gallery file behind: {gallery}");
    }

    [RealModelFact]
    public void Enroll_BlankSubjectName_ExitsTwoAndLeavesNoGallery()
    {
        using var temp = new TempDirectory();
        var gallery = temp.File("new.db");

        var run = Facekit.Run("enroll", "--gallery", gallery, "   ", UnitFaces.Photo("Abdullah", 1));

        CliAssert.BadInputWithOneLine(run, "name");
        Assert.False(File.Exists(gallery), $"a refused enrolment left a gallery file behind: {gallery}");
    }

    [RealModelTheory]
    [InlineData("detect")]
    [InlineData("embed")]
    [InlineData("verify")]
    [InlineData("identify")]
    public void EveryImageCommand_MissingFile_ExitsTwoNamingTheFile(string command)
    {
        using var temp = new TempDirectory();
        var missing = temp.File("not-there.jpg");
        string[] args = command switch
        {
            "verify" => ["verify", UnitFaces.Photo("Abdullah", 1), missing],
            "identify" => ["identify", "--gallery", existing.Path, missing],
            _ => [command, missing],
        };

        var run = Facekit.Run(args);

        CliAssert.BadInputWithOneLine(run, "not-there.jpg");
    }

    [SharedDataFact]
    public void AnyCommand_ModelsFolderEmpty_ExitsTwoTellingHowToInstall()
    {
        using var empty = new TempDirectory();
        var gallery = empty.File("new.db");

        var detect = Facekit.Run("detect", UnitFaces.Photo("Abdullah", 1), "--models", empty.Path);
        var enroll = Facekit.Run("enroll", "--gallery", gallery, "Abdullah", UnitFaces.Photo("Abdullah", 1), "--models", empty.Path);

        CliAssert.BadInputWithOneLine(detect, "facekit models install");
        CliAssert.BadInputWithOneLine(enroll, "facekit models install");
        Assert.False(File.Exists(gallery), "enrolment without models left a gallery file behind");
    }

    [RealModelFact]
    public void Identify_GalleryThatDoesNotExist_ExitsTwoAndDoesNotCreateIt()
    {
        using var temp = new TempDirectory();
        var gallery = temp.File("typo.db");

        var run = Facekit.Run("identify", "--gallery", gallery, UnitFaces.Photo("Abdullah", 2));

        CliAssert.BadInputWithOneLine(run, "typo.db");
        Assert.False(File.Exists(gallery));
    }

    [Fact]
    public void GalleryList_FileThatIsNotAGallery_ExitsTwo()
    {
        using var temp = new TempDirectory();
        var notGallery = temp.File("notes.db");
        File.WriteAllText(notGallery, "not a database\n");

        var run = Facekit.Run("gallery", "list", "--gallery", notGallery);

        CliAssert.BadInputWithOneLine(run, "notes.db");
        Assert.Equal("not a database\n", File.ReadAllText(notGallery));
    }
}
