using System.Text.Json;
using FaceKit.Evaluation.Extraction;
using FaceKit.Evaluation.Kisa;
using FaceKit.Testing;

namespace FaceKit.Evaluation.Tests;

public class KisaTests
{
    private static KisaOptions Options(FailurePolicy policy = FailurePolicy.CountAsNonMatch) =>
        new() { FailurePolicy = policy, Extraction = new ExtractionOptions { MaxDegreeOfParallelism = 4 } };

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(25, 0, 25)]
    [InlineData(0, -35, 35)]
    [InlineData(60, 60, 75.5225)]
    [InlineData(130, 20, 127.1586)]
    public void LightAngle_IsArccosOfCosAzimuthTimesCosElevation(double a, double e, double expected)
    {
        Assert.Equal(expected, YaleB.LightAngle(a, e), 3);
    }

    [Theory]
    [InlineData(25, "angle<=25")]
    [InlineData(25.0001, "25<angle<=50")]
    [InlineData(50, "25<angle<=50")]
    [InlineData(77, "50<angle<=77")]
    [InlineData(77.5, "angle>77")]
    public void Condition_BinsByAngleWithInclusiveUpperBounds(double angle, string condition)
    {
        Assert.Equal(condition, YaleB.Condition(angle));
    }

    [SharedDataFact]
    public void YaleB_DevFolder_EnrolsFrontalLightAndBinsTheOtherProbesByAngle()
    {
        var set = YaleB.Read(SharedData.Path("yaleb-dev"));

        var enrol = set.Images.Where(i => i.Role == ProtocolRole.Enrol).ToArray();
        Assert.Equal(8, enrol.Length);
        Assert.All(enrol, e => Assert.EndsWith("_P00A+000E+00.pgm", e.Path));
        var probes = set.Images.Where(i => i.Role == ProtocolRole.Probe).ToArray();
        Assert.Equal(8 * 63, probes.Length);
        Assert.All(probes, p => Assert.Equal("lighting", p.Category));
        var byCondition = probes.GroupBy(p => p.Condition).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(144, byCondition["angle<=25"]);     // 18 per subject, A±025E+00 included
        Assert.Equal(80, byCondition["25<angle<=50"]);
        Assert.Equal(128, byCondition["50<angle<=77"]);
        Assert.Equal(152, byCondition["angle>77"]);
        Assert.Contains(set.Notes, n => n.Contains("8 *_Ambient.pgm"));
        Assert.DoesNotContain(set.Images, i => i.Path.Contains("Ambient"));
    }

    [SharedDataFact]
    public void Run_YaleBWithFakeExtractor_ComparesEveryProbeWithEveryEnrolment()
    {
        var r = new KisaRunner(new FakeExtractor(noise: 0.1)).Run(YaleB.Read(SharedData.Path("yaleb-dev")), Options()).Report;

        var lighting = Assert.Single(r.Categories);
        Assert.Equal("lighting", lighting.Category);
        Assert.Equal(0.01, lighting.MaxEer);
        Assert.Equal(504, lighting.Rates.GenuineComparisons);
        Assert.Equal(504 * 7, lighting.Rates.ImpostorComparisons);
        Assert.Equal(4, lighting.Conditions.Count);
        Assert.Equal(144 * 7, lighting.Conditions.Single(c => c.Condition == "angle<=25").Rates.ImpostorComparisons);
        Assert.Equal(0, lighting.Rates.Eer); // the fake's template follows the folder: perfect separation
        Assert.True(lighting.Rates.Pass);
        Assert.True(r.Pass);
        Assert.Equal("pooled_eer", r.ThresholdOrigin);
        Assert.Equal(0, r.FailuresToEnrol);
    }

    [SharedDataFact]
    public void Run_FailureToEnrol_MakesThatSubjectsGenuineComparisonsFalseNonMatches()
    {
        var fake = new FakeExtractor(["yaleB01_P00A+000E+00.pgm", "yaleB02_P00A+010E+00.pgm"]);

        var r = new KisaRunner(fake).Run(YaleB.Read(SharedData.Path("yaleb-dev")), Options()).Report;

        Assert.Equal(1, r.FailuresToEnrol);
        Assert.Equal(["yaleB01"], r.FailedEnrolments);
        Assert.Equal(1, r.FailuresToAcquire);
        var rates = r.Categories[0].Rates;
        Assert.Equal(1, rates.FailuresToAcquire);
        Assert.Equal(504, rates.GenuineComparisons);
        // yaleB01's 63 genuine comparisons and yaleB02's failed probe can never match: FNMR ≥ 64/504 at any threshold.
        Assert.True(rates.Fnmr >= 64.0 / 504 - 1e-12);
        Assert.False(rates.Pass);
        Assert.False(r.Pass);
    }

    [SharedDataFact]
    public void Run_ExcludePolicy_DropsComparisonsWithFailedImages()
    {
        var fake = new FakeExtractor(["yaleB01_P00A+000E+00.pgm"], noise: 0.1);

        var r = new KisaRunner(fake).Run(YaleB.Read(SharedData.Path("yaleb-dev")), Options(FailurePolicy.Exclude)).Report;

        Assert.Equal("exclude", r.FailurePolicy);
        Assert.Equal(504 - 63, r.Categories[0].Rates.GenuineComparisons);
        Assert.Equal(504 * 7 - (504 - 63), r.Categories[0].Rates.ImpostorComparisons); // all but the others' probes against yaleB01
        Assert.Equal(0, r.Categories[0].Rates.Eer);
    }

    [SharedDataFact]
    public void Manifest_EnrolmentWithoutCategory_ServesEveryCategory()
    {
        using var dir = new TempDirectory();
        var unit = SharedData.Path("unit", "images");
        string Img(string n, int i) => Path.Combine(unit, n, $"{n}_{i:D4}.jpg");
        string[] people = ["Aaron_Peirsol", "Abdoulaye_Wade", "Abdullah_Gul"];
        var rows = new List<string> { "path,subject,role,category,condition" };
        foreach (var p in people)
        {
            rows.Add($"{Img(p, 1)},{p},enrol,,");
            rows.Add($"{Img(p, 2)},{p},probe,expression,smile");
            rows.Add($"{Img(p, 3)},{p},probe,pose,yaw30");
        }
        File.WriteAllLines(dir.File("manifest.csv"), rows);

        var set = ProtocolManifest.Read(dir.File("manifest.csv"));
        var result = new KisaRunner(new FakeExtractor()).Run(set, Options());

        Assert.Equal(9, set.Images.Count);
        Assert.Equal(["expression", "pose"], result.Report.Categories.Select(c => c.Category));
        Assert.All(result.Report.Categories, c =>
        {
            Assert.Equal(3, c.Rates.GenuineComparisons);
            Assert.Equal(6, c.Rates.ImpostorComparisons);
            Assert.Equal(0.02, c.MaxEer);
        });

        using var doc = JsonDocument.Parse(result.ToJson());
        foreach (var name in new[] { "pass", "categories", "failures_to_enrol", "failures_to_acquire", "failure_policy", "threshold" })
            Assert.True(doc.RootElement.TryGetProperty(name, out _), name);
        var written = result.WriteAll(dir.File("out"));
        Assert.Contains("| expression | smile |", File.ReadAllText(written[1]));
    }

    [Fact]
    public void KFace_NeutralShotEnrolsAndOneFactorChangesMakeProbes()
    {
        using var dir = new TempDirectory();
        string[] files =
        [
            "High/19062421/S001/L1/E01/C7.jpg",   // enrol
            "High/19062421/S001/L1/E01/C4.jpg",   // pose C4
            "High/19062421/S001/L1/E02/C7.jpg",   // expression E02
            "High/19062421/S001/L8/E01/C7.jpg",   // lighting L8
            "High/19062421/S003/L1/E01/C7.jpg",   // accessory S003
            "High/19062421/S003/L8/E01/C7.jpg",   // two factors: skipped
            "Low/19062421/S001/L1/E01/C7.jpg",    // other resolution
        ];
        foreach (var f in files)
        {
            var path = Path.Combine(dir.Path, f);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x");
        }

        var set = KFace.Read(dir.Path, new KFaceOptions { Resolution = "High" });

        Assert.Single(set.Images, i => i.Role == ProtocolRole.Enrol);
        Assert.Equal(
            ["accessory/S003", "expression/E02", "lighting/L8", "pose/C4"],
            set.Images.Where(i => i.Role == ProtocolRole.Probe).Select(i => $"{i.Category}/{i.Condition}").Order());
        Assert.All(set.Images, i => Assert.Equal("19062421", i.Subject));
        Assert.Contains(set.Notes, n => n.Contains("1 images that differ"));
        Assert.Equal(2, KFace.Read(dir.Path).Images.Count(i => i.Role == ProtocolRole.Enrol));
    }
}
