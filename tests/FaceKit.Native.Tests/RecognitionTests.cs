using System.Globalization;
using FaceKit.Testing;
using Xunit.Abstractions;

namespace FaceKit.Native.Tests;

/// <summary>Recognition quality and behaviour through the C API, on the real unit photographs.</summary>
[Collection(NativeCollection.Name)]
public sealed class RecognitionTests(NativeLibraryFixture native, ITestOutputHelper log)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [RealModelFact]
    public void AllUnitPairs_SamePersonAboveThreshold_DifferentBelow()
    {
        log.WriteLine(native.PublishLog);
        var r = native.Check(Timeout, "pairs", TestModels.Directory, SharedData.Path("unit", "images"), SharedData.Path("unit", "pairs.csv"));
        Assert.True(r.ExitCode == 0, r.Output);
        double threshold = double.Parse(r.Lines.Single(l => l.StartsWith("threshold ")).Split(' ')[1], CultureInfo.InvariantCulture);
        Assert.InRange(threshold, 0.05, 0.95);
        Assert.Contains(r.Lines, l => l.StartsWith("model faceplugin/"));

        var errors = r.Lines.Where(l => l.StartsWith("error ")).ToArray();
        var pairs = r.Lines.Where(l => l.StartsWith("pair ")).Select(l => l[5..].Split(',')).ToArray();
        int expected = File.ReadLines(SharedData.Path("unit", "pairs.csv")).Skip(1).Count(l => l.Trim().Length > 0);
        Assert.Equal(75, expected);
        Assert.True(errors.Length == 0, string.Join("\n", errors));
        Assert.Equal(expected, pairs.Length);

        var wrong = pairs.Where(p =>
        {
            bool same = p[2] == "1";
            double s = double.Parse(p[3], CultureInfo.InvariantCulture);
            return same != (s >= threshold);
        }).Select(p => string.Join(",", p)).ToArray();
        int correct = pairs.Length - wrong.Length;
        log.WriteLine($"{correct}/{pairs.Length} pairs correct at threshold {threshold} ({r.Elapsed.TotalSeconds:0.0}s, 150 templates)");
        foreach (var w in wrong) log.WriteLine("wrong: " + w);
        Assert.True(correct >= Math.Ceiling(0.95 * pairs.Length), $"{correct}/{pairs.Length} correct:\n{string.Join("\n", wrong)}");
    }

    [RealModelFact]
    public void Gallery_EnrolIdentifyRemove_AndMultiImageTemplates()
    {
        var db = native.WorkDirectory.File($"gallery-{Guid.NewGuid():N}.db");
        var r = native.Check(Timeout, "gallery", TestModels.Directory, SharedData.Path("unit", "images"), db);
        log.WriteLine(r.Stdout);
        Assert.True(r.ExitCode == 0 && r.Failures.Length == 0, r.Output);
        Assert.Contains("failures 0", r.Lines);
    }

    [RealModelFact]
    public void RawPixels_GiveTheSameTemplateAsTheEncodedImage()
    {
        var image = SharedData.Path("unit", "images", "Aaron_Peirsol", "Aaron_Peirsol_0001.jpg");
        // The BGR pixels OpenCV decodes, as a C program holding a camera frame would pass them.
        var bgr = new FaceKit.Inference.Imaging.ImageLoader().Load(image);
        Assert.Equal(FaceKit.Core.Imaging.PixelFormat.Bgr24, bgr.Format);
        var raw = native.WorkDirectory.File("face.bgr");
        using (var f = File.Create(raw))
        using (var w = new BinaryWriter(f))
        {
            w.Write(bgr.Width);
            w.Write(bgr.Height);
            for (int y = 0; y < bgr.Height; y++) w.Write(bgr.Row(y));
        }
        var r = native.Check(Timeout, "raw", TestModels.Directory, image, raw);
        log.WriteLine(r.Stdout);
        Assert.True(r.ExitCode == 0 && r.Failures.Length == 0, r.Output);
    }

    [RealModelFact]
    public void OneHandle_SharedByFourThreads()
    {
        var r = native.Check(Timeout, "threads", TestModels.Directory, SharedData.Path("unit", "images", "Abdullah_Gul", "Abdullah_Gul_0001.jpg"));
        log.WriteLine(r.Stdout);
        Assert.True(r.ExitCode == 0 && r.Failures.Length == 0, r.Output);
    }
}
