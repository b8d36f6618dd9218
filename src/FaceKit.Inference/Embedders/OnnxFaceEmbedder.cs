using FaceKit.Core.Embeddings;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceKit.Inference.Embedders;

/// <summary>
/// An ArcFace-style embedder described by its manifest entry: NCHW input of the aligned crop,
/// (v − mean)/scale in the stated channel order, one vector out, L2-normalised here.
/// </summary>
public sealed class OnnxFaceEmbedder : IFaceEmbedder
{
    private readonly InferenceSession _session;
    private readonly ModelInfo _model;
    private readonly string _inputName;
    private readonly int _maxBatch;

    public OnnxFaceEmbedder(InferenceSession session, ModelInfo model)
    {
        _session = session;
        _model = model;
        var input = session.InputMetadata.First();
        _inputName = input.Key;
        // A model exported with a fixed batch of 1 must be called once per face; a dynamic batch takes all at once.
        _maxBatch = input.Value.Dimensions[0] > 0 ? input.Value.Dimensions[0] : int.MaxValue;
        InputSize = model.Input[0];
        Dimension = session.OutputMetadata.First().Value.Dimensions[^1];
    }

    public string ModelId => _model.Id;
    public int InputSize { get; }
    public int Dimension { get; }

    public Embedding[] Embed(IReadOnlyList<ImageBuffer> alignedFaces)
    {
        var result = new Embedding[alignedFaces.Count];
        for (int start = 0; start < alignedFaces.Count; start += _maxBatch)
        {
            int count = Math.Min(_maxBatch, alignedFaces.Count - start);
            int plane = 3 * InputSize * InputSize;
            var input = new DenseTensor<float>([count, 3, InputSize, InputSize]);
            for (int i = 0; i < count; i++)
            {
                var face = alignedFaces[start + i];
                if (face.Width != InputSize || face.Height != InputSize)
                    throw new ArgumentException($"aligned face is {face.Width}x{face.Height}, model wants {InputSize}x{InputSize}");
                TensorFill.Planar(face, input.Buffer.Span.Slice(i * plane, plane), _model.Mean, 1f / _model.Scale, rgb: _model.Channels == "RGB");
            }
            using var outputs = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, input)]);
            var output = ((DenseTensor<float>)outputs[0].Value).Buffer.Span;
            for (int i = 0; i < count; i++)
                result[start + i] = new Embedding(output.Slice(i * Dimension, Dimension).ToArray(), ModelId);
        }
        return result;
    }

    public void Dispose() => _session.Dispose();
}
