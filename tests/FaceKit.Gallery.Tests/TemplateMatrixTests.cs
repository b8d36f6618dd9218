using FaceKit.Core.Embeddings;
using FaceKit.Gallery.Search;

namespace FaceKit.Gallery.Tests;

/// <summary>The int8 pre-scan must never change an answer, only how fast it comes.</summary>
public sealed class TemplateMatrixTests
{
    [Fact]
    public void PreScannedSearch_GivesExactlyTheFloatScanAnswer_OnRandomFaces()
    {
        var matrix = Fill(subjects: 400, perSubject: 3, spread: 0.5f, seed: 7);

        for (int probe = 0; probe < 40; probe++)
        {
            var vector = probe % 2 == 0 ? Faces.Vector(9000 + probe) : Faces.Near(7 * 1000 + probe * 9, shot: 99).Vector;
            foreach (int k in new[] { 1, 5, 50, 1000 })
                Assert.Equal(matrix.Search(vector, k, floatScanOnly: true), matrix.Search(vector, k));
        }
    }

    [Fact]
    public void PreScannedSearch_GivesExactlyTheFloatScanAnswer_WhenTemplatesAreNearlyIdentical()
    {
        // Every template within a hair of one direction: int8 cannot separate them, the float rescore must.
        var matrix = Fill(subjects: 200, perSubject: 2, spread: 0.002f, seed: 11);
        var probe = Faces.Vector(11 * 1000);

        foreach (int k in new[] { 1, 3, 10, 200 })
        {
            var exact = matrix.Search(probe, k, floatScanOnly: true);
            Assert.Equal(exact, matrix.Search(probe, k));
            Assert.Equal(exact.OrderByDescending(m => m.Similarity).ThenBy(m => m.SubjectId), exact);
        }
    }

    [Fact]
    public void Search_AfterRemovals_StillMatchesTheFloatScan()
    {
        var matrix = Fill(subjects: 100, perSubject: 4, spread: 0.4f, seed: 3);
        for (long id = 1; id <= 400; id += 3) matrix.RemoveTemplate(id);
        matrix.RemoveSubject(subjectId: 42);

        Assert.Equal(100 * 4 - 134 - 2, matrix.Count);
        for (int probe = 0; probe < 20; probe++)
        {
            var vector = Faces.Near(3 * 1000 + probe * 5, shot: 1, noise: 0.3f).Vector;
            Assert.Equal(matrix.Search(vector, 5, floatScanOnly: true), matrix.Search(vector, 5));
            Assert.DoesNotContain(matrix.Search(vector, 100), m => m.SubjectId == 42 || m.TemplateId % 3 == 1);
        }
    }

    [Fact]
    public void Bounds_HoldTheFloatScore_EvenWhenTheQuantisationErrorPointsAtTheProbe()
    {
        if (!QuantizedRows.Supported) return; // no int8 pre-scan on this CPU: nothing to bound

        // One spike plus components too small for int8 to keep: the whole error is the small part,
        // and the probe is exactly that part, so the true score is all error and the coarse one 0.
        var random = new Random(5);
        var small = new float[Faces.Dim];
        for (int i = 1; i < small.Length; i++) small[i] = random.Next(2) == 0 ? 0.0038f : -0.0038f;
        var row = (float[])small.Clone();
        row[0] = 0.99f;
        Embedding.Normalize(row);
        var probe = (float[])small.Clone();
        Embedding.Normalize(probe);
        var rows = new QuantizedRows();
        rows.Reset(Faces.Dim, capacity: 1);
        rows.Set(0, row);
        float[] lower = new float[1], upper = new float[1];

        rows.Bounds(probe, 1, lower, upper);

        float score = System.Numerics.Tensors.TensorPrimitives.Dot(row, probe);
        Assert.True(score > 0.05f, $"the case is not adversarial: score {score}");
        Assert.InRange(score, lower[0], upper[0]);
    }

    /// <summary>Subject s's templates scatter around direction seed*1000+s by <paramref name="spread"/>.</summary>
    private static TemplateMatrix Fill(int subjects, int perSubject, float spread, int seed)
    {
        var matrix = new TemplateMatrix();
        matrix.Reset(Faces.Dim);
        long templateId = 1;
        for (int s = 0; s < subjects; s++)
        for (int t = 0; t < perSubject; t++)
        {
            var v = spread < 0.01f ? Faces.Vector(seed * 1000) : Faces.Vector(seed * 1000 + s);
            var noise = Faces.Vector(seed * 1_000_000 + s * 100 + t);
            for (int i = 0; i < v.Length; i++) v[i] += spread * noise[i];
            Embedding.Normalize(v);
            matrix.Add(templateId++, s, $"s{s}", v);
        }
        return matrix;
    }
}
