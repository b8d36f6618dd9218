using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Inference;
using FaceKit.Inference.Embedders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceKit.Training.Data;

/// <summary>Which photos of an identity-folder tree to take.</summary>
public sealed record DataSelection
{
    /// <summary>Identities with fewer usable photos than this are left out (a class needs examples to be learnt).</summary>
    public int MinImagesPerIdentity { get; init; } = 2;
    public int MaxIdentities { get; init; } = int.MaxValue;
    public int MaxImagesPerIdentity { get; init; } = int.MaxValue;
}

/// <summary>Progress of the one-off detect-and-align pass.</summary>
public readonly record struct CacheProgress(int Done, int Total, int Failed);

/// <summary>
/// Turns an identity-folder tree (<c>root/&lt;identity&gt;/*.jpg</c>, or <c>root/images/&lt;identity&gt;/…</c>) into aligned
/// 112×112 crops through the core pipeline (detect → landmarks → align, largest face), once: the crops are cached in
/// <c>cacheDir</c> under a key of the tree, the selection and the pipeline configuration, and later runs just read
/// them. Photos that already are 112×112 are taken as aligned crops as they are. Teacher embeddings are cached the
/// same way, keyed by the teacher model.
/// </summary>
public sealed class FaceCropCache(string cacheDirectory, ILogger? logger = null)
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".pgm", ".ppm", ".tif", ".tiff"];
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>identity → image paths, identities and files in ordinal order so labels are stable.</summary>
    public static IReadOnlyList<(string Identity, string[] Files)> Enumerate(string root, DataSelection selection)
    {
        if (!Directory.Exists(root)) throw FaceKitException.BadInput($"{root}: no such folder");
        string top = Directory.Exists(Path.Combine(root, "images")) && Directory.EnumerateFiles(root).All(f => !IsImage(f))
            && Directory.EnumerateDirectories(root).Count() <= 2 ? Path.Combine(root, "images") : root;
        var result = new List<(string, string[])>();
        foreach (var dir in Directory.GetDirectories(top).Order(StringComparer.Ordinal))
        {
            var files = Directory.GetFiles(dir).Where(IsImage).Order(StringComparer.Ordinal).Take(selection.MaxImagesPerIdentity).ToArray();
            if (files.Length < selection.MinImagesPerIdentity) continue;
            result.Add((Path.GetFileName(dir), files));
            if (result.Count >= selection.MaxIdentities) break;
        }
        if (result.Count < 2) throw FaceKitException.BadInput($"{root}: needs at least two identity folders with {selection.MinImagesPerIdentity}+ images each");
        return result;
    }

    public FaceDataset Load(string root, FacePipeline pipeline, DataSelection? selection = null, IProgress<CacheProgress>? progress = null,
        CancellationToken cancel = default)
    {
        selection ??= new DataSelection();
        return Load(root, Enumerate(root, selection), pipeline, selection, progress, cancel);
    }

    /// <summary>
    /// K-Face identities: the tree is resolution/ID/accessory/lighting/expression/pose.jpg, and an identity is an ID
    /// folder, its photos gathered from every resolution folder and every factor below it.
    /// </summary>
    public static IReadOnlyList<(string Identity, string[] Files)> EnumerateKFace(string root, DataSelection selection)
    {
        if (!Directory.Exists(root)) throw FaceKitException.BadInput($"{root}: no such folder");
        var byId = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var resolution in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            foreach (var id in Directory.GetDirectories(resolution).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(id);
                if (!byId.TryGetValue(name, out var files)) byId[name] = files = [];
                files.AddRange(Directory.EnumerateFiles(id, "*", SearchOption.AllDirectories).Where(IsImage).Order(StringComparer.Ordinal));
            }
        var result = byId.Where(kv => kv.Value.Count >= selection.MinImagesPerIdentity)
            .Select(kv => (kv.Key, kv.Value.Take(selection.MaxImagesPerIdentity).ToArray()))
            .Take(selection.MaxIdentities).ToList();
        if (result.Count < 2)
            throw FaceKitException.BadInput($"{root}: not a K-Face tree with two or more IDs (expected resolution/ID/accessory/lighting/expression/pose.jpg)");
        return result;
    }

    /// <summary>As <see cref="Load(string, FacePipeline, DataSelection?, IProgress{CacheProgress}?, CancellationToken)"/> for a K-Face tree.</summary>
    public FaceDataset LoadKFace(string root, FacePipeline pipeline, DataSelection? selection = null, IProgress<CacheProgress>? progress = null,
        CancellationToken cancel = default)
    {
        selection ??= new DataSelection();
        return Load(root, EnumerateKFace(root, selection), pipeline, selection, progress, cancel);
    }

    private FaceDataset Load(string root, IReadOnlyList<(string Identity, string[] Files)> tree, FacePipeline pipeline, DataSelection selection,
        IProgress<CacheProgress>? progress, CancellationToken cancel)
    {
        var key = Key(root, tree, selection, pipeline.ConfigurationId);
        var dir = Path.Combine(cacheDirectory, key);
        var indexPath = Path.Combine(dir, "index.tsv");
        var pixelsPath = Path.Combine(dir, "crops.u8");
        if (File.Exists(indexPath) && File.Exists(pixelsPath)) return Read(indexPath, pixelsPath);

        Directory.CreateDirectory(dir);
        int total = tree.Sum(t => t.Files.Length), done = 0, failed = 0;
        var pixels = new MemoryStream();
        var rows = new List<(string Identity, string Source)>();
        foreach (var (identity, files) in tree)
        {
            foreach (var file in files)
            {
                cancel.ThrowIfCancellationRequested();
                var crop = TryAlign(pipeline, file);
                if (crop is null) failed++;
                else
                {
                    WriteBgr(crop, pixels);
                    rows.Add((identity, Path.GetRelativePath(root, file)));
                }
                progress?.Report(new CacheProgress(++done, total, failed));
            }
        }
        // Identities whose photos mostly had no face may now be below the minimum.
        var counts = rows.GroupBy(r => r.Identity).ToDictionary(g => g.Key, g => g.Count());
        var keep = rows.Select(r => counts[r.Identity] >= selection.MinImagesPerIdentity).ToArray();
        var all = pixels.ToArray();
        var kept = new MemoryStream();
        using (var index = new StreamWriter(indexPath + ".tmp", false, Encoding.UTF8))
        {
            index.WriteLine("identity\tsource");
            for (int i = 0; i < rows.Count; i++)
            {
                if (!keep[i]) continue;
                kept.Write(all, i * FaceDataset.CropBytes, FaceDataset.CropBytes);
                index.WriteLine($"{rows[i].Identity}\t{rows[i].Source}");
            }
        }
        File.WriteAllBytes(pixelsPath, kept.ToArray());
        File.Move(indexPath + ".tmp", indexPath, overwrite: true);
        _logger.LogInformation("aligned {Count} faces of {Total} photos ({Failed} without a face) into {Dir}", keep.Count(k => k), total, failed, dir);
        return Read(indexPath, pixelsPath);
    }

    /// <summary>Computes (or reads back) the teacher's embeddings of every crop and its mirror image.</summary>
    public void AttachTeacher(FaceDataset data, IFaceEmbedder teacher, IProgress<CacheProgress>? progress = null, CancellationToken cancel = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(data.Pixels))[..16];
        var path = Path.Combine(cacheDirectory, "teacher", $"{Sanitize(teacher.ModelId)}-{hash}.f32");
        int d = teacher.Dimension, n = data.Count;
        if (File.Exists(path) && new FileInfo(path).Length == 2L * n * d * sizeof(float))
        {
            var bytes = File.ReadAllBytes(path);
            var both = new float[2 * n * d];
            Buffer.BlockCopy(bytes, 0, both, 0, bytes.Length);
            data.AttachTeacher(teacher.ModelId, d, both[..(n * d)], both[(n * d)..]);
            return;
        }
        var plain = new float[n * d];
        var flipped = new float[n * d];
        const int batch = 32;
        for (int start = 0; start < n; start += batch)
        {
            cancel.ThrowIfCancellationRequested();
            int count = Math.Min(batch, n - start);
            var crops = new List<ImageBuffer>(2 * count);
            for (int i = 0; i < count; i++) crops.Add(data.CropImage(start + i));
            for (int i = 0; i < count; i++) crops.Add(crops[i].FlipHorizontal());
            var embeddings = teacher.Embed(crops);
            for (int i = 0; i < count; i++)
            {
                embeddings[i].Vector.CopyTo(plain, (start + i) * d);
                embeddings[count + i].Vector.CopyTo(flipped, (start + i) * d);
            }
            progress?.Report(new CacheProgress(start + count, n, 0));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var output = new byte[2L * n * d * sizeof(float)];
        Buffer.BlockCopy(plain, 0, output, 0, n * d * sizeof(float));
        Buffer.BlockCopy(flipped, 0, output, n * d * sizeof(float), n * d * sizeof(float));
        File.WriteAllBytes(path + ".tmp", output);
        File.Move(path + ".tmp", path, overwrite: true);
        data.AttachTeacher(teacher.ModelId, d, plain, flipped);
    }

    private ImageBuffer? TryAlign(FacePipeline pipeline, string file)
    {
        try
        {
            var image = pipeline.Load(file);
            if (image.Width == FaceDataset.Side && image.Height == FaceDataset.Side) return image.ToBgr();
            var faces = pipeline.Detect(image);
            if (faces.Count == 0) return null;
            return pipeline.Align(image, faces[0]).ToBgr();
        }
        catch (FaceKitException e) when (e.IsUserError)
        {
            _logger.LogWarning("skipping {File}: {Message}", file, e.Message);
            return null;
        }
    }

    private static void WriteBgr(ImageBuffer crop, Stream output)
    {
        if (crop.Width != FaceDataset.Side || crop.Height != FaceDataset.Side)
            throw new InvalidOperationException($"aligned crop is {crop.Width}x{crop.Height}, not {FaceDataset.Side}x{FaceDataset.Side}");
        for (int y = 0; y < crop.Height; y++) output.Write(crop.Row(y));
    }

    private static FaceDataset Read(string indexPath, string pixelsPath)
    {
        var lines = File.ReadAllLines(indexPath).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToArray();
        var identities = lines.Select(l => l[0]).Distinct().Order(StringComparer.Ordinal).ToArray();
        var label = identities.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var pixels = File.ReadAllBytes(pixelsPath);
        if (pixels.Length != lines.Length * FaceDataset.CropBytes)
            throw FaceKitException.BadInput($"{pixelsPath}: crop cache is damaged (size does not match its index); delete the folder");
        return new FaceDataset(pixels, lines.Select(l => label[l[0]]).ToArray(), identities, lines.Select(l => l[1]).ToArray());
    }

    private static string Key(string root, IReadOnlyList<(string Identity, string[] Files)> tree, DataSelection selection, string pipelineId)
    {
        var sb = new StringBuilder();
        sb.Append(Path.GetFullPath(root)).Append('|').Append(pipelineId).Append('|').Append(selection.MinImagesPerIdentity).Append('|');
        foreach (var (identity, files) in tree)
            foreach (var f in files)
            {
                var info = new FileInfo(f);
                sb.Append(identity).Append('/').Append(info.Name).Append(':').Append(info.Length.ToString(CultureInfo.InvariantCulture)).Append(';');
            }
        return Sanitize(Path.GetFileName(Path.GetFullPath(root).TrimEnd('/'))) + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    private static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    private static string Sanitize(string s) => new(s.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
}
