namespace FaceKit.Evaluation.Extraction;

/// <summary>How templates are extracted: parallelism and the optional on-disk cache.</summary>
public sealed record ExtractionOptions
{
    /// <summary>Images extracted at once; the extractor is thread-safe.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Embedding cache file; null = no cache.</summary>
    public string? CachePath { get; init; }
}
