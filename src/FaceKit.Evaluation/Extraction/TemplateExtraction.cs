using System.Collections.Concurrent;
using System.Diagnostics;
using FaceKit.Core.Errors;

namespace FaceKit.Evaluation.Extraction;

/// <summary>Templates of a set of distinct images and what it took to get them.</summary>
public sealed record ExtractionResult(
    IReadOnlyDictionary<string, TemplateResult> Templates,
    IReadOnlyList<ImageFailure> Failures,
    int ExtractorCalls,
    int CacheHits,
    bool CacheWasCorrupt,
    TimeSpan Elapsed);

/// <summary>Extracts each distinct image once, in parallel, through the embedding cache.</summary>
public static class TemplateExtraction
{
    /// <exception cref="FaceKitException">BadInput when listed files do not exist.</exception>
    public static ExtractionResult Run(
        IEnumerable<string> imagePaths,
        ITemplateExtractor extractor,
        ExtractionOptions? options = null,
        IProgress<EvaluationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ExtractionOptions();
        var paths = imagePaths.Distinct(StringComparer.Ordinal).ToArray();
        var missing = paths.Where(p => !File.Exists(p)).ToArray();
        if (missing.Length > 0)
            throw FaceKitException.BadInput(
                $"{missing.Length} of {paths.Length} images do not exist, e.g. {string.Join(", ", missing.Take(3))}");

        var cache = options.CachePath is null ? EmbeddingCache.InMemory() : EmbeddingCache.Load(options.CachePath);
        bool cacheWasCorrupt = cache.WasCorrupt;
        var results = new ConcurrentDictionary<string, TemplateResult>(StringComparer.Ordinal);
        int done = 0, calls = 0, hits = 0;
        var clock = Stopwatch.StartNew();
        progress?.Report(new EvaluationProgress(0, paths.Length, 0, TimeSpan.Zero));
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism),
            CancellationToken = cancellationToken,
        };
        try
        {
            Parallel.ForEach(paths, parallel, path =>
            {
                var hash = EmbeddingCache.HashContent(File.ReadAllBytes(path));
                if (cache.TryGet(extractor.CacheKey, hash, out var result))
                    Interlocked.Increment(ref hits);
                else
                {
                    Interlocked.Increment(ref calls);
                    result = ExtractOne(extractor, path);
                    cache.Set(extractor.CacheKey, hash, result);
                }
                results[path] = result;
                int n = Interlocked.Increment(ref done);
                progress?.Report(new EvaluationProgress(n, paths.Length, Volatile.Read(ref hits), clock.Elapsed));
            });
        }
        finally
        {
            // Keep what was extracted before a cancellation or a crash: the next run resumes from it.
            cache.Save();
        }
        var failures = paths
            .Where(p => !results[p].Succeeded)
            .Select(p => new ImageFailure(p, results[p].Failure!.Value, results[p].Message ?? ""))
            .ToArray();
        return new ExtractionResult(results, failures, calls, hits, cacheWasCorrupt, clock.Elapsed);
    }

    private static TemplateResult ExtractOne(ITemplateExtractor extractor, string path)
    {
        try
        {
            var r = extractor.Extract(path);
            if (r.Embedding is { } e && e.ModelId != extractor.ModelId)
                throw new InvalidOperationException($"extractor '{extractor.ModelId}' returned a template of '{e.ModelId}'");
            return r;
        }
        catch (FaceKitException e) when (e.Code == ErrorCode.NoFace)
        {
            return TemplateResult.Failed(TemplateFailureKind.NoFace, e.Message);
        }
        catch (FaceKitException e) when (e.Code == ErrorCode.BadInput)
        {
            return TemplateResult.Failed(TemplateFailureKind.BadImage, e.Message);
        }
    }
}
