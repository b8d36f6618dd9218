using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

/// <summary>Command lines facekit cannot parse: exit 2 and one line naming what it did not understand. No model is loaded.</summary>
public sealed class ArgumentErrorTests
{
    [Fact]
    public void UnknownSubcommand_ExitsTwoNamingIt()
    {
        var run = Facekit.Run("frobnicate");

        CliAssert.BadInputWithOneLine(run, "frobnicate");
    }

    [Fact]
    public void UnknownOption_ExitsTwoNamingIt()
    {
        using var temp = new TempDirectory();

        var run = Facekit.Run("gallery", "list", "--gallery", temp.File("g.db"), "--bogus");

        CliAssert.BadInputWithOneLine(run, "--bogus");
    }

    [Fact]
    public void Identify_WithoutGalleryOption_ExitsTwoNamingIt()
    {
        var run = Facekit.Run("identify", "photo.jpg");

        CliAssert.BadInputWithOneLine(run, "--gallery");
    }

    [Fact]
    public void Verify_ThresholdThatIsNotANumber_ExitsTwoNamingIt()
    {
        var run = Facekit.Run("verify", "--threshold", "high", "a.jpg", "b.jpg");

        CliAssert.BadInputWithOneLine(run, "high");
    }

    [Fact]
    public void Identify_TopZero_ExitsTwoNamingTheOption()
    {
        using var temp = new TempDirectory();

        var run = Facekit.Run("identify", "--top", "0", "--gallery", temp.File("g.db"), "photo.jpg");

        CliAssert.BadInputWithOneLine(run, "--top");
    }
}
