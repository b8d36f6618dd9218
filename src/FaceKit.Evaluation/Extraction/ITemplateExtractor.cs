namespace FaceKit.Evaluation.Extraction;

/// <summary>
/// Turns one image file into a face template. Implementations must be thread-safe: the runners call
/// <see cref="Extract"/> from several threads at once.
/// </summary>
public interface ITemplateExtractor
{
    /// <summary>Id of the embedder (e.g. "faceplugin/fr_feature@0.0.1"); part of the cache key.</summary>
    string ModelId { get; }

    /// <summary>
    /// Everything that changes a template besides the image: model, detector settings, pre-processing
    /// version. The embedding cache is keyed by it, so changing a detector option never reuses stale templates.
    /// </summary>
    string CacheKey => ModelId;

    TemplateResult Extract(string imagePath);
}
