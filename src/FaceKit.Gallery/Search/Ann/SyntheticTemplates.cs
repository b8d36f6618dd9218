using System.Numerics.Tensors;

namespace FaceKit.Gallery.Search.Ann;

/// <summary>
/// Face-template-like unit vectors for benchmarks and tests, every one a pure function of
/// (seed, identity, shot) so nothing needs keeping: an identity is a centre direction, a template is
/// that centre plus isotropic noise of norm ≈ <c>noise</c>, so two templates of one identity have
/// cosine ≈ 1/(1+noise²) (0.70 at the default 0.65, like real same-person pairs), and identities
/// share one of <c>groups</c> group directions with weight <c>groupWeight</c>, so impostors are
/// not all orthogonal (cosine ≈ 0.14 within a group) and the space has the lumpy structure of
/// real embeddings instead of uniform noise, which no index would find hard.
/// </summary>
internal sealed class SyntheticTemplates(int dimension, int identities, int seed, float noise = 0.65f, int groups = 256, float groupWeight = 0.4f)
{
    public int Dimension => dimension;

    public int Identities => identities;

    /// <summary>Writes template <paramref name="shot"/> of <paramref name="identity"/> into <paramref name="into"/>.</summary>
    public void Template(int identity, int shot, Span<float> into)
    {
        Span<float> centre = stackalloc float[dimension];
        Centre(identity, centre);
        var random = new Random(Mix(seed, identity, shot + 1));
        Gaussian(random, into, noise / MathF.Sqrt(dimension));
        TensorPrimitives.Add(into, centre, into);
        TensorPrimitives.Divide(into, TensorPrimitives.Norm(into), into);
    }

    /// <summary>Shots 0..count-1 of one identity, row after row, computing its centre once.</summary>
    public void Shots(int identity, int count, Span<float> into)
    {
        Span<float> centre = stackalloc float[dimension];
        Centre(identity, centre);
        for (int shot = 0; shot < count; shot++)
        {
            var row = into.Slice(shot * dimension, dimension);
            Gaussian(new Random(Mix(seed, identity, shot + 1)), row, noise / MathF.Sqrt(dimension));
            TensorPrimitives.Add(row, centre, row);
            TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
        }
    }

    public float[] Template(int identity, int shot)
    {
        var v = new float[dimension];
        Template(identity, shot, v);
        return v;
    }

    private void Centre(int identity, Span<float> into)
    {
        Span<float> group = stackalloc float[dimension];
        Gaussian(new Random(Mix(seed, -1 - (int)((uint)identity % (uint)groups), 0)), group, 1f / MathF.Sqrt(dimension));
        Gaussian(new Random(Mix(seed, identity, 0)), into, 1f / MathF.Sqrt(dimension));
        TensorPrimitives.MultiplyAdd(group, groupWeight, into, into);
        TensorPrimitives.Divide(into, TensorPrimitives.Norm(into), into);
    }

    // Deterministic across processes (HashCode.Combine is seeded per process): splitmix64 finaliser.
    private static int Mix(int a, int b, int c)
    {
        ulong z = unchecked((ulong)(uint)a * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)b << 21 ^ (ulong)(uint)c * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }

    private static void Gaussian(Random random, Span<float> into, float sigma)
    {
        for (int i = 0; i < into.Length; i += 2)
        {
            // Box–Muller: two normals from two uniforms.
            double r = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * sigma, theta = 2 * Math.PI * random.NextDouble();
            into[i] = (float)(r * Math.Cos(theta));
            if (i + 1 < into.Length) into[i + 1] = (float)(r * Math.Sin(theta));
        }
    }
}
