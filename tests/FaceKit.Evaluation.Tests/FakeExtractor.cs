using System.Collections.Concurrent;
using FaceKit.Core.Embeddings;
using FaceKit.Evaluation.Extraction;

namespace FaceKit.Evaluation.Tests;

/// <summary>
/// A stand-in for the real pipeline: the template is a function of the path only (identity = parent
/// folder, plus per-file noise), so plumbing can be tested without a model. Counts calls and the most
/// calls in flight at once.
/// </summary>
internal sealed class FakeExtractor(IEnumerable<string>? noFaceFileNames = null, string modelId = "fake/path-hash@1", double noise = 0.6) : ITemplateExtractor
{
    private readonly HashSet<string> _noFace = new(noFaceFileNames ?? [], StringComparer.Ordinal);
    private int _calls, _inFlight, _maxInFlight;

    public string ModelId => modelId;
    public int Calls => _calls;
    public int MaxInFlight => _maxInFlight;
    public ConcurrentBag<string> Seen { get; } = [];
    public TimeSpan Delay { get; init; } = TimeSpan.Zero;

    /// <summary>Each call waits (up to 5 s) until this many calls are in flight, so a parallel run is observable even on a busy thread pool.</summary>
    public int AwaitConcurrency { get; init; }

    public TemplateResult Extract(string imagePath)
    {
        Interlocked.Increment(ref _calls);
        int now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max) { }
        try
        {
            Seen.Add(imagePath);
            if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
            if (AwaitConcurrency > 1) SpinWait.SpinUntil(() => Volatile.Read(ref _maxInFlight) >= AwaitConcurrency, TimeSpan.FromSeconds(5));
            if (_noFace.Contains(Path.GetFileName(imagePath))) return TemplateResult.Failed(TemplateFailureKind.NoFace, "no face (fake)");
            var identity = Random(Path.GetFileName(Path.GetDirectoryName(imagePath))!, 1.0);
            var jitter = Random(Path.GetFileName(imagePath), noise);
            return TemplateResult.Success(new Embedding(identity.Zip(jitter, (a, b) => a + b).ToArray(), ModelId));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static float[] Random(string key, double scale)
    {
        uint h = 2166136261;
        foreach (char c in key) h = (h ^ c) * 16777619;
        var rng = new Random((int)h);
        return Enumerable.Range(0, 32).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();
    }
}
