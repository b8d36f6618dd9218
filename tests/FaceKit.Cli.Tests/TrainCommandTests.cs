using System.Globalization;
using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests;

/// <summary>`facekit train` data inputs and per-epoch validation, on real photos, as short real runs.</summary>
public sealed class TrainCommandTests
{
    /// <summary>A models folder with the installed pipeline linked in (train aligns with it).</summary>
    private static string Models(TempDirectory dir)
    {
        var models = dir.File("models");
        Directory.CreateDirectory(models);
        foreach (var file in new[] { "fr_detect.onnx", "fr_landmark.onnx", "fr_feature_batch.onnx" })
            File.CreateSymbolicLink(Path.Combine(models, file), Path.GetFullPath(Path.Combine(TestModels.Directory, file)));
        return models;
    }

    [RealModelFact]
    public void Train_WithValidateLfw_ScoresEveryEpochOnThePairs_AndKeepsTheBestCheckpoint()
    {
        using var dir = new TempDirectory();
        var people = UnitFaces.People.ToArray();
        // Train on six unit people; validate on LFW-format pairs of the other four (identity-disjoint).
        var train = dir.File("train");
        foreach (var person in people.Take(6))
        {
            Directory.CreateDirectory(Path.Combine(train, person));
            for (int n = 1; n <= 3; n++) File.Copy(UnitFaces.Photo(person, n), Path.Combine(train, person, $"{n}.jpg"));
        }
        var lfw = dir.File("lfw");
        var held = people.Skip(6).ToArray();
        foreach (var person in held)
        {
            Directory.CreateDirectory(Path.Combine(lfw, "images", person));
            for (int n = 1; n <= 3; n++)
                File.Copy(UnitFaces.Photo(person, n), Path.Combine(lfw, "images", person, $"{person}_{n:0000}.jpg"));
        }
        // One LFW set: the header gives N, then N same pairs and N different pairs.
        var same = held.SelectMany(p => new[] { $"{p}\t1\t2", $"{p}\t2\t3" }).Take(6).ToArray();
        var different = new List<string>();
        for (int i = 0; i < held.Length; i++)
            for (int j = i + 1; j < held.Length; j++) different.Add($"{held[i]}\t1\t{held[j]}\t1");
        Assert.Equal(same.Length, different.Count);
        File.WriteAllLines(Path.Combine(lfw, "pairsDevTest.txt"), [same.Length.ToString(CultureInfo.InvariantCulture), .. same, .. different]);

        var run = Facekit.Run("train", "--arch", "mobilefacenet-v3", "--data", train, "--epochs", "2", "--batch", "8", "--validate-lfw", lfw,
            "--out", dir.File("run"), "--cache", dir.File("cache"), "--train-threads", "1", "--json", "--models", Models(dir));

        CliAssert.ExitCode(CliAssert.Success, run);
        var log = File.ReadAllLines(dir.File("run/log.csv"));
        Assert.Equal(3, log.Length); // header + two epochs
        var header = log[0].Split(',');
        int accuracy = Array.IndexOf(header, "lfw_accuracy"), auc = Array.IndexOf(header, "lfw_auc");
        Assert.True(accuracy > 0 && auc > 0, log[0]);
        foreach (var line in log.Skip(1))
        {
            var cells = line.Split(',');
            Assert.InRange(double.Parse(cells[accuracy], CultureInfo.InvariantCulture), 0, 1);
            Assert.InRange(double.Parse(cells[auc], CultureInfo.InvariantCulture), 0, 1);
            // The validation score that picks best.ckpt is the 10-fold accuracy.
            Assert.Equal(double.Parse(cells[accuracy], CultureInfo.InvariantCulture),
                double.Parse(cells[Array.IndexOf(header, "val_score")], CultureInfo.InvariantCulture), 4);
        }
        Assert.True(File.Exists(dir.File("run/best.ckpt")), "the best epoch by LFW accuracy is kept");
    }

    [RealModelFact]
    public void Train_KFaceTree_TakesIdentitiesFromTheIdFoldersAcrossResolutions()
    {
        using var dir = new TempDirectory();
        // resolution/ID/accessory/lighting/expression/pose.jpg with real photos: three IDs, two resolutions.
        var root = dir.File("kface");
        var people = UnitFaces.People.Take(3).ToArray();
        for (int i = 0; i < people.Length; i++)
            foreach (var (resolution, n) in new[] { ("High", 1), ("Middle", 2), ("Middle", 3) })
            {
                var folder = Path.Combine(root, resolution, $"ID{i:00}", "S001", "L1", n == 3 ? "E02" : "E01");
                Directory.CreateDirectory(folder);
                File.Copy(UnitFaces.Photo(people[i], n), Path.Combine(folder, "C7.jpg"));
            }

        var run = Facekit.Run("train", "--arch", "mobilefacenet-v3", "--data", root, "--kface", "--steps", "1", "--batch", "6",
            "--out", dir.File("run"), "--cache", dir.File("cache"), "--train-threads", "1", "--models", Models(dir));

        CliAssert.ExitCode(CliAssert.Success, run);
        Assert.Contains("on 9 faces of 3 identities", run.Stderr);
    }
}
