using FaceKit.Core.Embeddings;
using FaceKit.Core.Imaging;

namespace FaceKit.Inference.Embedders;

/// <summary>Turns aligned face crops into L2-normalised embeddings.</summary>
public interface IFaceEmbedder : IDisposable
{
    string ModelId { get; }

    /// <summary>Side of the square aligned crop the model expects (112 for ArcFace-style models).</summary>
    int InputSize { get; }

    int Dimension { get; }

    /// <summary>Embeds several aligned crops (several faces of one image) in as few model calls as the model allows.</summary>
    Embedding[] Embed(IReadOnlyList<ImageBuffer> alignedFaces);
}
