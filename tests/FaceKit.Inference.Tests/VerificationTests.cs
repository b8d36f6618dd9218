using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using FaceKit.Testing;

namespace FaceKit.Inference.Tests;

public class VerificationTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    /// <summary>The threshold the CLI uses by default (models.json), calibrated on lfw-devtest.</summary>
    private static float DefaultThreshold =>
        Inference.Models.ModelManifest.Default.Find("faceplugin", Inference.Models.ModelRole.Embedder).Threshold!.Value;

    [RealModelFact]
    public void UnitPairs_AtTheDefaultThreshold_AreAtLeast95PercentCorrect()
    {
        var pairs = File.ReadAllLines(SharedData.Path("unit", "pairs.csv")).Skip(1)
            .Select(l => l.Split(',')).Select(p => (A: p[0], B: p[1], Same: p[2].Trim() is "1" or "true" or "True")).ToList();
        Assert.Equal(75, pairs.Count);
        var cache = new Dictionary<string, Embedding>();
        Embedding Embed(string rel) => cache.TryGetValue(rel, out var e) ? e
            : cache[rel] = fixture.Pipeline.AnalyzeLargest(ResolveUnit(rel)).Embedding;

        int correct = pairs.Count(p => Embed(p.A).Similarity(Embed(p.B)) >= DefaultThreshold == p.Same);

        Assert.True(correct >= 0.95 * pairs.Count, $"{correct}/{pairs.Count} correct at threshold {DefaultThreshold}");
    }

    [RealModelFact]
    public void Embeddings_AreUnitLength_512d_AndTaggedWithTheirModel()
    {
        var face = fixture.Pipeline.AnalyzeLargest(SharedData.Path("group-photos", "happy.jpg"));
        Assert.Equal(512, face.Embedding.Dimension);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(face.Embedding.Vector), 1e-4f);
        Assert.Equal("faceplugin/fr_feature@0.0.1", face.Embedding.ModelId);
    }

    [RealModelFact]
    public void SeveralFacesOfOneImage_EmbedTheSameAsOneAtATime()
    {
        var image = fixture.Pipeline.Load(SharedData.Path("group-photos", "bbt4.jpg"));
        var faces = fixture.Pipeline.Detect(image);
        var together = fixture.Pipeline.Embed(image, faces);
        for (int i = 0; i < faces.Count; i++)
        {
            var alone = fixture.Pipeline.Embed(image, [faces[i]])[0];
            Assert.Equal(1f, alone.Similarity(together[i]), 1e-4f);
        }
    }

    [RealModelFact]
    public void FlipFusion_KeepsSamePersonSimilarityHigh_AndTagsTheTemplate()
    {
        using var flip = FacePipeline.Create(new PipelineOptions { ModelDirectory = TestModels.Directory, FlipFusion = true });
        var dir = SharedData.Path("unit", "images", "Aaron_Peirsol");
        var a = flip.AnalyzeLargest(Path.Combine(dir, "Aaron_Peirsol_0001.jpg")).Embedding;
        var b = flip.AnalyzeLargest(Path.Combine(dir, "Aaron_Peirsol_0002.jpg")).Embedding;
        Assert.EndsWith("+flip", a.ModelId);
        Assert.True(a.Similarity(b) > DefaultThreshold);
    }

    [RealModelFact]
    public void AnImageWithoutAFace_ThrowsNoFace()
    {
        // Flat grey 640×480: too big for the tight-crop fallback, nothing for the detector to find.
        var grey = Core.Imaging.ImageBuffer.Create(640, 480, Core.Imaging.PixelFormat.Bgr24);
        grey.Pixels.Fill(128);
        var e = Assert.Throws<FaceKitException>(() => fixture.Pipeline.AnalyzeLargest(grey));
        Assert.Equal(ErrorCode.NoFace, e.Code);
    }

    private static string ResolveUnit(string relative)
    {
        var direct = SharedData.Path("unit", relative);
        return File.Exists(direct) ? direct : SharedData.Path("unit", "images", relative);
    }
}
