using System.Numerics.Tensors;
using FaceKit.Core.Errors;

namespace FaceKit.Core.Embeddings;

/// <summary>An L2-normalised face template and the id of the model that made it.</summary>
public sealed class Embedding
{
    public Embedding(float[] vector, string modelId, bool normalize = true)
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (vector.Length == 0) throw new ArgumentException("empty embedding", nameof(vector));
        if (normalize) Normalize(vector);
        Vector = vector;
        ModelId = modelId;
    }

    public float[] Vector { get; }
    public string ModelId { get; }
    public int Dimension => Vector.Length;

    /// <summary>Cosine similarity; both vectors are unit length, so a dot product.</summary>
    public float Similarity(Embedding other)
    {
        if (other.ModelId != ModelId)
            throw FaceKitException.Conflict($"cannot compare templates of '{ModelId}' and '{other.ModelId}'");
        return TensorPrimitives.Dot(Vector, other.Vector);
    }

    public static void Normalize(Span<float> v)
    {
        float norm = TensorPrimitives.Norm(v);
        if (norm > 0 && float.IsFinite(norm)) TensorPrimitives.Divide(v, norm, v);
    }

    /// <summary>Sum of two embeddings, re-normalised (flip fusion, multi-image templates).</summary>
    public static Embedding Fuse(Embedding a, Embedding b)
    {
        var sum = new float[a.Dimension];
        TensorPrimitives.Add(a.Vector, b.Vector, sum);
        return new Embedding(sum, a.ModelId);
    }
}
