using FaceKit.Cli.Tests.Infrastructure;
using FaceKit.Testing;
using FaceKit.Training.Trainer;

namespace FaceKit.Cli.Tests;

/// <summary>`facekit export`: a real training run's checkpoint becomes an embedder the other commands use.</summary>
public sealed class ExportCommandTests
{
    [RealModelFact]
    public void TrainThenExport_ExportedModelEmbedsAndVerifies_ByPathAndByRegisteredName()
    {
        using var dir = new TempDirectory();
        // A models folder of its own, so registering does not write into the shared installed one: the installed
        // detector, landmarker and default embedder (train builds the whole pipeline) are linked in.
        var models = dir.File("models");
        Directory.CreateDirectory(models);
        foreach (var file in new[] { "fr_detect.onnx", "fr_landmark.onnx", "fr_feature_batch.onnx" })
            File.CreateSymbolicLink(Path.Combine(models, file), Path.GetFullPath(Path.Combine(TestModels.Directory, file)));
        var people = dir.File("people");
        foreach (var person in UnitFaces.People.Take(3))
        {
            Directory.CreateDirectory(Path.Combine(people, person));
            for (int n = 1; n <= 3; n++) File.Copy(UnitFaces.Photo(person, n), Path.Combine(people, person, $"{n}.jpg"));
        }

        var train = Facekit.Run("train", "--arch", "mobilefacenet-v3", "--data", people, "--steps", "2", "--batch", "8",
            "--out", dir.File("run"), "--cache", dir.File("cache"), "--train-threads", "1", "--json", "--models", models);
        CliAssert.ExitCode(CliAssert.Success, train);
        var checkpoint = train.Json.GetProperty("checkpoint").GetString()!;

        var export = Facekit.Run("export", "--checkpoint", checkpoint, "--out", dir.File("out/face.onnx"), "--register", "mynet",
            "--json", "--models", models);
        CliAssert.Succeeded(export);
        var json = export.Json;
        Assert.Equal("mobilefacenet-v3", json.GetProperty("architecture").GetString());
        Assert.Equal(128, json.GetProperty("dim").GetInt32());
        Assert.True(File.Exists(dir.File("out/face.onnx.json")), export.ToString());
        Assert.True(File.Exists(Path.Combine(models, "mynet.onnx.json")), export.ToString());
        var registeredId = json.GetProperty("registered").GetProperty("model").GetString()!;
        Assert.StartsWith("local/mynet@", registeredId);

        var photo = UnitFaces.Photo(UnitFaces.People[0], 1);
        var embed = Facekit.Run("embed", "--embedder", dir.File("out/face.onnx"), "--json", "--models", models, photo);
        CliAssert.Succeeded(embed);
        Assert.Equal(128, embed.Json.GetProperty("dim").GetInt32());
        Assert.Equal(128, embed.Json.GetProperty("embedding").GetArrayLength());
        Assert.Equal(json.GetProperty("model").GetString(), embed.Json.GetProperty("model").GetString());
        double norm = Math.Sqrt(embed.Json.GetProperty("embedding").EnumerateArray().Sum(v => v.GetDouble() * v.GetDouble()));
        Assert.InRange(norm, 0.999, 1.001);

        // A threshold below −1 makes any pair "same": exit 0 checks the run, not what two training steps learned.
        var verify = Facekit.Run("verify", "--embedder", "mynet", "--threshold", "-1.01", "--json", "--models", models,
            photo, UnitFaces.Photo(UnitFaces.People[0], 2));
        CliAssert.Succeeded(verify);
        Assert.Equal(registeredId, verify.Json.GetProperty("model").GetString());
        Assert.InRange(verify.Json.GetProperty("similarity").GetDouble(), -1.0, 1.0);
    }

    [Fact]
    public void Export_MissingFileNotACheckpointOrUnknownArchitecture_ExitsTwoWithOneLine()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("notes.ckpt"), "not a checkpoint");
        Checkpoint.Save(dir.File("alien.ckpt"), new CheckpointInfo
        {
            Architecture = "alexnet", EmbeddingSize = 128, Identities = ["a"], Step = 1, TotalSteps = 1, StepsPerEpoch = 1, Seed = 0,
        }, []);

        CliAssert.BadInputWithOneLine(Facekit.Run("export", "--checkpoint", dir.File("missing.ckpt"), "--out", dir.File("m.onnx")),
            "missing.ckpt", "no such checkpoint");
        CliAssert.BadInputWithOneLine(Facekit.Run("export", "--checkpoint", dir.File("notes.ckpt"), "--out", dir.File("m.onnx")),
            "notes.ckpt", "not a FaceKit training checkpoint");
        CliAssert.BadInputWithOneLine(Facekit.Run("export", "--checkpoint", dir.File("alien.ckpt"), "--out", dir.File("m.onnx")),
            "alien.ckpt", "unknown architecture 'alexnet'");
        CliAssert.BadInputWithOneLine(Facekit.Run("export", "--checkpoint", dir.File("alien.ckpt")), "--out", "--register");
        Assert.False(File.Exists(dir.File("m.onnx")));
    }
}
