using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;

namespace FaceKit.Training.Data;

/// <summary>
/// Aligned 112×112 BGR face crops held in memory (37,632 bytes each: ~120 MB for 3,150 faces) with their identity
/// labels and, when distilling, the teacher's embeddings of each crop and of its mirror image.
/// </summary>
public sealed class FaceDataset
{
    public const int Side = 112;
    public const int CropBytes = Side * Side * 3;

    public FaceDataset(byte[] pixels, int[] labels, IReadOnlyList<string> identities, IReadOnlyList<string> sources)
    {
        if (pixels.Length != labels.Length * CropBytes) throw new ArgumentException("pixel buffer does not match the label count");
        if (sources.Count != labels.Length) throw new ArgumentException("one source per face");
        Pixels = pixels;
        Labels = labels;
        Identities = identities;
        Sources = sources;
    }

    public byte[] Pixels { get; }
    public int[] Labels { get; }
    public IReadOnlyList<string> Identities { get; }
    /// <summary>Where each crop came from, relative to the data root.</summary>
    public IReadOnlyList<string> Sources { get; }
    public int Count => Labels.Length;
    public int ClassCount => Identities.Count;

    /// <summary>Teacher embeddings, [Count, TeacherDimension], of the crop as stored and of its mirror image.</summary>
    public float[]? Teacher { get; private set; }
    public float[]? TeacherFlipped { get; private set; }
    public int TeacherDimension { get; private set; }
    public string? TeacherId { get; private set; }

    public ReadOnlySpan<byte> Crop(int index) => Pixels.AsSpan(index * CropBytes, CropBytes);

    public ImageBuffer CropImage(int index) => new(Side, Side, PixelFormat.Bgr24, Crop(index).ToArray());

    public void AttachTeacher(string teacherId, int dimension, float[] embeddings, float[] flipped)
    {
        if (embeddings.Length != Count * dimension || flipped.Length != Count * dimension)
            throw new ArgumentException("teacher embeddings do not match the data set");
        TeacherId = teacherId;
        TeacherDimension = dimension;
        Teacher = embeddings;
        TeacherFlipped = flipped;
    }

    /// <summary>
    /// Splits by identity (no person in both parts): every k-th identity, in name order, goes to validation, so the
    /// split is the same on every machine and run.
    /// </summary>
    public (FaceDataset Train, FaceDataset Validation) SplitByIdentity(double validationFraction)
    {
        if (validationFraction <= 0 || validationFraction >= 1) throw FaceKitException.BadInput("validation fraction must be in (0, 1)");
        int every = Math.Max(2, (int)Math.Round(1 / validationFraction));
        var isValidation = Enumerable.Range(0, ClassCount).Select(i => i % every == every - 1).ToArray();
        return (Subset(i => !isValidation[Labels[i]]), Subset(i => isValidation[Labels[i]]));
    }

    /// <summary>The faces the predicate keeps, with labels renumbered densely over the identities that remain.</summary>
    public FaceDataset Subset(Func<int, bool> keep)
    {
        var indices = Enumerable.Range(0, Count).Where(keep).ToArray();
        var used = indices.Select(i => Labels[i]).Distinct().Order().ToArray();
        var remap = used.Select((old, i) => (old, i)).ToDictionary(p => p.old, p => p.i);
        var pixels = new byte[indices.Length * CropBytes];
        for (int j = 0; j < indices.Length; j++) Crop(indices[j]).CopyTo(pixels.AsSpan(j * CropBytes));
        var subset = new FaceDataset(pixels, indices.Select(i => remap[Labels[i]]).ToArray(),
            used.Select(l => Identities[l]).ToArray(), indices.Select(i => Sources[i]).ToArray());
        if (Teacher is not null)
        {
            int d = TeacherDimension;
            float[] Pick(float[] all) => indices.SelectMany(i => all.AsSpan(i * d, d).ToArray()).ToArray();
            subset.AttachTeacher(TeacherId!, d, Pick(Teacher), Pick(TeacherFlipped!));
        }
        return subset;
    }
}
