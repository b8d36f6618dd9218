using FaceKit.Core.Embeddings;

namespace FaceKit.Gallery.Tests;

/// <summary>Deterministic stand-ins for embedder output: seeded random unit vectors.</summary>
internal static class Faces
{
    public const string Model = "test/arcface@1";
    public const int Dim = 512;

    public static float[] Vector(int seed, int dim = Dim)
    {
        var random = new Random(seed);
        var v = new float[dim];
        for (int i = 0; i < dim; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        Embedding.Normalize(v);
        return v;
    }

    public static Embedding Template(int seed, string model = Model, int dim = Dim) => new(Vector(seed, dim), model);

    /// <summary>Another shot of the same face: <paramref name="seed"/>'s vector plus a little noise.</summary>
    public static Embedding Near(int seed, int shot, float noise = 0.3f)
    {
        var v = Vector(seed);
        var n = Vector(seed * 1000 + shot);
        for (int i = 0; i < v.Length; i++) v[i] += noise * n[i];
        return new Embedding(v, Model);
    }

    public static Embedding[] Templates(params int[] seeds) => seeds.Select(s => Template(s)).ToArray();
}
