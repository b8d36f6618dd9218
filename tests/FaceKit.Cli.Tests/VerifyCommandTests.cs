using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

public sealed class VerifyCommandTests
{
    [RealModelFact]
    public void Verify_SamePersonPair_ExitsZeroAndSaysSame()
    {
        var pair = UnitFaces.Pairs.First(p => p.Same);

        // The default thread count (all cores), as a user runs it; other tests use one thread to share the machine.
        var run = Facekit.Run("verify", "--json", "--threads", "0", pair.A, pair.B);

        CliAssert.Succeeded(run);
        var json = run.Json;
        Assert.True(json.GetProperty("same").GetBoolean(), run.ToString());
        double similarity = json.GetProperty("similarity").GetDouble(), threshold = json.GetProperty("threshold").GetDouble();
        Assert.InRange(similarity, -1.0, 1.0);
        Assert.True(similarity >= threshold, $"same: true but similarity {similarity} < threshold {threshold}");
    }

    [RealModelFact]
    public void Verify_DifferentPeoplePair_ExitsOneAndSaysNotSame()
    {
        var pair = UnitFaces.Pairs.First(p => !p.Same);

        var run = Facekit.Run("verify", "--json", pair.A, pair.B);

        CliAssert.ExitCode(CliAssert.Negative, run);
        var json = run.Json;
        Assert.False(json.GetProperty("same").GetBoolean(), run.ToString());
        double similarity = json.GetProperty("similarity").GetDouble(), threshold = json.GetProperty("threshold").GetDouble();
        Assert.InRange(similarity, -1.0, 1.0);
        Assert.True(similarity < threshold, $"same: false but similarity {similarity} ≥ threshold {threshold}");
    }

    [RealModelFact]
    public void Verify_ThresholdOption_DecidesTheAnswer()
    {
        // The same pair becomes "different" when the caller demands more than a perfect match.
        var pair = UnitFaces.Pairs.First(p => p.Same);

        var run = Facekit.Run("verify", "--json", "--threshold", "1.01", pair.A, pair.B);

        CliAssert.ExitCode(CliAssert.Negative, run);
        Assert.False(run.Json.GetProperty("same").GetBoolean());
        Assert.Equal(1.01, run.Json.GetProperty("threshold").GetDouble(), 3);
    }
}
