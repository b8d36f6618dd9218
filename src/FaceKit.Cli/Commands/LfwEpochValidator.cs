using FaceKit.Core.Embeddings;
using FaceKit.Evaluation.Extraction;
using FaceKit.Evaluation.Pairs;
using FaceKit.Evaluation.Verification;
using FaceKit.Training.Data;
using FaceKit.Training.Models;
using FaceKit.Training.Trainer;
using static TorchSharp.torch;

namespace FaceKit.Cli.Commands;

/// <summary>
/// Scores the model in training on LFW-style pairs after every epoch: the pair images are aligned once (the
/// training crop cache), embedded by the model in eval mode, and measured by the evaluation library's 10-fold
/// protocol. The score that picks best.ckpt is the 10-fold accuracy; AUC, EER and TPR@FPR are logged beside it.
/// </summary>
internal sealed class LfwEpochValidator : IEpochValidator
{
    private const int BatchSize = 64;
    private readonly PairList _pairs;
    private readonly FaceDataset _crops;
    private readonly string[] _paths;

    /// <param name="pairs">the pairs, with absolute image paths under <paramref name="imagesRoot"/></param>
    /// <param name="crops">the aligned pair images, as loaded by <see cref="FaceCropCache"/> from <paramref name="imagesRoot"/></param>
    public LfwEpochValidator(PairList pairs, FaceDataset crops, string imagesRoot)
    {
        _pairs = pairs;
        _crops = crops;
        _paths = crops.Sources.Select(s => Path.GetFullPath(Path.Combine(imagesRoot, s))).ToArray();
    }

    public ValidationResult Validate(FaceModel model)
    {
        var embeddings = new Dictionary<string, Embedding>(_paths.Length, StringComparer.Ordinal);
        var indices = new int[BatchSize];
        var noFlip = new bool[BatchSize];
        for (int start = 0; start < _crops.Count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, _crops.Count - start);
            for (int i = 0; i < n; i++) indices[i] = start + i;
            using var scope = NewDisposeScope();
            using var batch = BatchMaker.Images(_crops, indices.AsSpan(0, n), noFlip.AsSpan(0, n));
            var output = model.forward(batch).contiguous().data<float>().ToArray();
            int dim = output.Length / n;
            for (int i = 0; i < n; i++)
                embeddings[_paths[start + i]] = new Embedding(output.AsSpan(i * dim, dim).ToArray(), "training");
        }

        // Extraction here is a dictionary lookup; no cache file, no bootstrap: only the per-epoch figures.
        var report = new VerificationRunner(new Lookup(embeddings))
            .Run(_pairs, new VerificationOptions { Bootstrap = null, Extraction = new ExtractionOptions { CachePath = null, MaxDegreeOfParallelism = 1 } })
            .Report;
        var metrics = new Dictionary<string, double>
        {
            ["lfw_accuracy"] = report.Accuracy,
            ["lfw_auc"] = report.Auc,
            ["lfw_eer"] = report.Eer,
            ["lfw_failures"] = report.FailuresToAcquire,
        };
        // Always the same keys, so the per-epoch CSV keeps its columns; NaN where too few impostor pairs resolve the rate.
        foreach (var t in report.TprAtFprDetail)
            metrics[$"lfw_tpr@fpr={t.TargetFpr:0e0}"] = t.Tpr ?? double.NaN;
        return new ValidationResult(report.Accuracy, metrics);
    }

    /// <summary>Pair images the aligner found no face in are failures to acquire, as in `facekit eval`.</summary>
    private sealed class Lookup(Dictionary<string, Embedding> embeddings) : ITemplateExtractor
    {
        public string ModelId => "training";

        public TemplateResult Extract(string imagePath) =>
            embeddings.TryGetValue(Path.GetFullPath(imagePath), out var e)
                ? TemplateResult.Success(e)
                : TemplateResult.Failed(TemplateFailureKind.NoFace, $"{imagePath}: no face aligned");
    }
}
