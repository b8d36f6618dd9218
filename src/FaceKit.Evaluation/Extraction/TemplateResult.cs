using FaceKit.Core.Embeddings;

namespace FaceKit.Evaluation.Extraction;

/// <summary>Why no template came out of an image (ISO/IEC 19795-1: a failure to acquire).</summary>
public enum TemplateFailureKind
{
    /// <summary>The image was read but no usable face was found.</summary>
    NoFace = 1,
    /// <summary>The file could not be decoded as an image.</summary>
    BadImage = 2,
}

/// <summary>Either an embedding or the failure kind and a message.</summary>
public sealed record TemplateResult
{
    private TemplateResult(Embedding? embedding, TemplateFailureKind? failure, string? message)
    {
        Embedding = embedding;
        Failure = failure;
        Message = message;
    }

    public Embedding? Embedding { get; }
    public TemplateFailureKind? Failure { get; }
    public string? Message { get; }
    public bool Succeeded => Embedding is not null;

    public static TemplateResult Success(Embedding embedding) =>
        new(embedding ?? throw new ArgumentNullException(nameof(embedding)), null, null);

    public static TemplateResult Failed(TemplateFailureKind kind, string message) => new(null, kind, message);
}
