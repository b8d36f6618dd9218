// Usage: FaceKit.Gallery.CrashHelper DB PREFIX COUNT [BASE64-KEY]
// Enrols subjects PREFIX-0 .. PREFIX-(COUNT-1), two templates each, and prints "ok N" after each
// Enroll has returned (i.e. after the commit). The parent kills it with SIGKILL at random points.
using FaceKit.Core.Embeddings;
using FaceKit.Gallery;

if (args.Length < 3) { Console.Error.WriteLine("usage: DB PREFIX COUNT [KEY]"); return 2; }
var options = new GalleryOptions { EncryptionKey = args.Length > 3 ? GalleryKey.Parse(args[3], "argument") : null };
using var gallery = SqliteGallery.Open(args[0], options);
int count = int.Parse(args[2]);
var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
stdout.WriteLine("ready");
for (int i = 0; i < count; i++)
{
    string name = $"{args[1]}-{i}";
    gallery.Enroll(name, [new Embedding(CrashVectors.For(name, 0), "test/arcface@1"), new Embedding(CrashVectors.For(name, 1), "test/arcface@1")]);
    stdout.WriteLine($"ok {i}");
}
stdout.WriteLine("done");
return 0;

/// <summary>Deterministic 128-d unit vectors per name and shot, so the parent can check the stored ones.</summary>
public static class CrashVectors
{
    public static float[] For(string name, int shot)
    {
        var random = new Random(StableHash(name) * 31 + shot);
        var v = new float[128];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        Embedding.Normalize(v);
        return v;
    }

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = 17;
            foreach (char c in s) h = h * 31 + c;
            return h & 0x3FFFFFF;
        }
    }
}
