using FaceKit.Inference.Models;
using FaceKit.Onnx;
using FaceKit.Testing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceKit.Inference.Tests;

public class DynamicBatchTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [RealModelFact]
    public void RewrittenEmbedder_GivesEachFaceOfABatch_TheShippedModelsEmbedding()
    {
        var image = fixture.Pipeline.Load(SharedData.Path("group-photos", "bbt4.jpg"));
        var faces = fixture.Pipeline.Detect(image);
        Assert.True(faces.Count >= 3);
        const int plane = 3 * 112 * 112;
        var batch = new DenseTensor<float>([faces.Count, 3, 112, 112]);
        for (int i = 0; i < faces.Count; i++)
            Imaging.TensorFill.Planar(fixture.Pipeline.Align(image, faces[i]), batch.Buffer.Span.Slice(i * plane, plane), 127f, 1f / 128f, rgb: false);

        var shipped = Path.Combine(TestModels.Directory, "fr_feature.onnx");
        using var batched = new InferenceSession(DynamicBatch.Apply(OnnxModel.Load(shipped)).ToBytes());
        using var single = new InferenceSession(shipped);
        using var all = batched.Run([NamedOnnxValue.CreateFromTensor("input", batch)]);
        var together = ((DenseTensor<float>)all[0].Value).Buffer.ToArray();

        Assert.Equal(faces.Count * 512, together.Length);
        for (int i = 0; i < faces.Count; i++)
        {
            var one = new DenseTensor<float>(batch.Buffer.Slice(i * plane, plane).ToArray(), [1, 3, 112, 112]);
            using var o = single.Run([NamedOnnxValue.CreateFromTensor("input", one)]);
            var alone = ((DenseTensor<float>)o[0].Value).Buffer.ToArray();
            for (int j = 0; j < 512; j++) Assert.Equal(alone[j], together[i * 512 + j], 1e-3f);
        }
    }

    [RealModelFact]
    public void DefaultEmbedder_TakesAnyBatch()
    {
        var info = ModelManifest.Default.Find("faceplugin", ModelRole.Embedder);
        using var session = new InferenceSession(Path.Combine(TestModels.Directory, info.File));
        Assert.True(session.InputMetadata.First().Value.Dimensions[0] < 1, "batch dimension should be symbolic");
    }
}
